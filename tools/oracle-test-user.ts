import { connectOracle } from '../target-oracle/dialects/oracle/oracle-driver.js';
import { parseTargetConfig } from '../target-oracle/settings.js';

/**
 * For scripts/test-oracle.sh: (re)creates the test user in a disposable Oracle Database (gvenzl/oracle-free,
 * service FREEPDB1) as SYSTEM, through the target's own Oracle connection. Its schema is where the live Oracle
 * tests create and drop their tables. Arguments: host port system-password user user-password.
 */
export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const [host, port, systemPassword, user, password] = argv;
  if (!host || !port || !systemPassword || !user || !password)
    throw new Error('usage: oracle-test-user HOST PORT SYSTEM_PASSWORD USER PASSWORD');
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(user) || !/^[A-Za-z0-9_-]+$/.test(password))
    throw new Error('the test user and password must be plain identifiers');
  const connection = await connectOracle(
    parseTargetConfig({
      dialect: 'oracle',
      host,
      port: Number(port),
      service_name: 'FREEPDB1',
      user: 'system',
      password: systemPassword,
    }),
  );
  try {
    const { session } = connection;
    const found = await session.execute('SELECT 1 FROM all_users WHERE username = :1', [user.toUpperCase()]);
    if ((found.rows ?? []).length > 0) await session.execute(`DROP USER "${user.toUpperCase()}" CASCADE`);
    await session.execute(`CREATE USER "${user.toUpperCase()}" IDENTIFIED BY "${password}" QUOTA UNLIMITED ON USERS`);
    await session.execute(`GRANT CREATE SESSION, CREATE TABLE TO "${user.toUpperCase()}"`);
  } finally {
    await connection.close();
  }
}
