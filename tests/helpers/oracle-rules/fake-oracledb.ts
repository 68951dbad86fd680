import { FakeOracledb } from './driver.js';
import { remoteLink } from './link.js';

/** What `import oracledb from 'oracledb'` gives a target process running against the rules server. */
const oracledb = new FakeOracledb(remoteLink());
export default oracledb;
