/**
 * The fixed reference data of the default tenant. Names are synthetic; the shapes and the time-zone
 * mix (no DST, US DST, a +05:30 offset) are what matter.
 */
export interface FacilitySeed {
  code: string;
  name: string;
  zone: string;
  city: string;
  state: string;
  zip: string;
  country: string;
}

export const COMPANIES = [
  { code: 'ACME', name: 'Acme Distribuicao' },
  { code: 'BETA', name: 'Beta Retail Group' },
] as const;

export const FACILITIES: readonly FacilitySeed[] = [
  {
    code: 'DC01',
    name: 'CD Campinas',
    zone: 'America/Sao_Paulo',
    city: 'CAMPINAS',
    state: 'SP',
    zip: '13000-000',
    country: 'BR',
  },
  {
    code: 'DC02',
    name: 'DC Newark',
    zone: 'America/New_York',
    city: 'NEWARK',
    state: 'NJ',
    zip: '07102',
    country: 'US',
  },
  { code: 'DC03', name: 'DC Pune', zone: 'Asia/Kolkata', city: 'PUNE', state: 'MH', zip: '411001', country: 'IN' },
];

/** time_zone lookup keys; a facility's time_zone_id is its zone's position + 1. */
export const TIME_ZONES = [
  'UTC',
  'America/Sao_Paulo',
  'America/New_York',
  'Asia/Kolkata',
  'America/Chicago',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Berlin',
] as const;

export const UOMS = ['UNITS', 'Cases', 'Pallets', 'Packs', 'KG', 'LB', 'EACH', 'BOX'] as const;

export const ORDER_STATUSES = [
  'Created',
  'Partly Allocated',
  'Allocated',
  'In Picking',
  'Picked',
  'Packed',
  'Loaded',
  'Shipped',
  'Delivered',
  'Cancelled',
] as const;

/** order_status ids are 0, 10, 20, … in the order above. */
export const ORDER_STATUS_IDS = ORDER_STATUSES.map((_, i) => i * 10);

export const CITIES = ['CAMPINAS', 'SAO PAULO', 'JUNDIAI', 'NEWARK', 'TRENTON', 'PUNE', 'MUMBAI', 'SANTOS'] as const;

export const CUSTOMERS = [
  'Loja Centro',
  'Loja Norte',
  'Mercado Azul',
  'Corner Shop',
  'Kirana Stores',
  'Farmacia Sul',
] as const;
