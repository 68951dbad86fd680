#!/usr/bin/env bash
# `npm run demo`: the quick start, on a fresh machine (Debian 12, Node 20; it installs the rest like `npm test`):
# starts the WMS simulator, runs a full sync then an incremental sync of order_hdr, order_dtl and allocation for
# company ACME / facility DC01 through wms-pipeline into a private PostgreSQL 15 (schema wms_demo), prints the run
# summaries and how to query the data. Everything it started is stopped at the end.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

DEMO_DIR="$CACHE_DIR/demo"
SCHEMA=wms_demo
COMPANY=ACME
FACILITY=DC01
t0=$SECONDS

sim_pid="" pg_started=false
cleanup() {
  if [[ -n $sim_pid ]]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  if $pg_started; then bash scripts/pg.sh stop || log "warning: could not stop PostgreSQL"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_node_modules
npm run --silent build >&2 || log "warning: tsc reported errors; running what it emitted"
mkdir -p "$DEMO_DIR"
rm -rf "$DEMO_DIR/state" "$DEMO_DIR/reports"

if ! bash scripts/pg.sh status >/dev/null 2>&1; then pg_started=true; fi
bash scripts/pg.sh start
eval "$(bash scripts/pg.sh env)"

node bin/wms-simulator.js --port 0 >"$DEMO_DIR/simulator.log" 2>&1 &
sim_pid=$!
base_url=""
for _ in $(seq 1 100); do
  base_url=$(sed -n 's/^base_url=//p' "$DEMO_DIR/simulator.log")
  [[ -n $base_url ]] && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$DEMO_DIR/simulator.log" >&2; die "the simulator did not start"; }
  sleep 0.1
done
[[ -n $base_url ]] || die "the simulator printed no base_url within 10 s"
admin_url="${base_url%/*}/__admin"
log "WMS simulator on $base_url (user demo/demo)"

# A fresh schema for every demo run.
TEST_SCHEMA=$SCHEMA node --input-type=module -e '
  import pg from "pg";
  const c = new pg.Client({ host: process.env.TEST_PG_HOST, port: Number(process.env.TEST_PG_PORT), user: process.env.TEST_PG_USER,
    password: process.env.TEST_PG_PASSWORD, database: process.env.TEST_PG_DATABASE });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${c.escapeIdentifier(process.env.TEST_SCHEMA)} CASCADE`);
  await c.end();'

export WMS_PIPELINE_WMS_BASE_URL=$base_url WMS_PIPELINE_WMS_USERNAME=demo WMS_PIPELINE_WMS_PASSWORD=demo
export WMS_PIPELINE_ENTITIES='["order_hdr","order_dtl","allocation"]'
export WMS_PIPELINE_TARGET_DIALECT=postgres WMS_PIPELINE_TARGET_HOST=$TEST_PG_HOST WMS_PIPELINE_TARGET_PORT=$TEST_PG_PORT
export WMS_PIPELINE_TARGET_USER=$TEST_PG_USER WMS_PIPELINE_TARGET_PASSWORD=$TEST_PG_PASSWORD WMS_PIPELINE_TARGET_DATABASE=$TEST_PG_DATABASE
export WMS_PIPELINE_TARGET_SCHEMA=$SCHEMA
export WMS_PIPELINE_STATE_DIR="$DEMO_DIR/state" WMS_PIPELINE_REPORT_DIR="$DEMO_DIR/reports"
export WMS_PIPELINE_MONITOR_INTERVAL_SECONDS=0.1
# The simulator's rows change "now": no replication lag, so the incremental sees the changes made a second ago.
export WMS_PIPELINE_TAP_CONFIG='{"replication_lag_seconds": 0}'

printf '\n== 1. full sync (%s/%s) ==\n' "$COMPANY" "$FACILITY"
node bin/wms-pipeline.js full --company "$COMPANY" --facility "$FACILITY"

# Something to pick up: three orders and two allocations change in WMS (simulator admin API).
ADMIN_URL=$admin_url BASE_URL=$base_url node --input-type=module -e '
  const auth = { authorization: "Basic " + Buffer.from("demo:demo").toString("base64") };
  const list = async (entity, filter) => (await (await fetch(`${process.env.BASE_URL}/wms/lgfapi/v10/entity/${entity}/?${filter}&ordering=id&page_size=3&fields=id`, { headers: auth })).json()).results;
  const patch = (entity, id, body) => fetch(`${process.env.ADMIN_URL}/rows/${entity}/${id}`, { method: "PATCH", body: JSON.stringify(body) });
  for (const { id } of await list("order_hdr", "company_id__code=ACME&facility_id__code=DC01")) await patch("order_hdr", id, { cust_name: "CHANGED BY THE DEMO" });
  for (const { id } of (await list("allocation", "order_dtl_id__order_id__company_id__code=ACME&order_dtl_id__order_id__facility_id__code=DC01")).slice(0, 2))
    await patch("allocation", id, { alloc_qty: "12345678901234.567" });'
printf '\n== 2. incremental sync (3 orders and 2 allocations changed in WMS meanwhile) ==\n'
node bin/wms-pipeline.js incremental --company "$COMPANY" --facility "$FACILITY"

psql_bin=$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)
cat <<EOT

== done in $((SECONDS - t0)) s ==
The data is in PostgreSQL 15 (data directory .cache/pg/data), database $TEST_PG_DATABASE, schema $SCHEMA:
tables order_hdr, order_dtl, allocation. Run reports: .cache/demo/reports/, incremental state: .cache/demo/state/.
$(if $pg_started; then echo "The demo stopped the server it started. To query the data:"; else echo "PostgreSQL was already running and is left running. To query the data:"; fi)

  bash scripts/pg.sh start
  PGPASSWORD=$TEST_PG_PASSWORD $psql_bin -h 127.0.0.1 -p \$(cat .cache/pg/port) -U $TEST_PG_USER -d $TEST_PG_DATABASE \\
    -c "SELECT id, order_nbr, cust_name, mod_ts FROM $SCHEMA.order_hdr ORDER BY mod_ts DESC LIMIT 5"
  bash scripts/pg.sh stop
EOT
