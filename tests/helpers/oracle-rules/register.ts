import { register } from 'node:module';

// Preloaded (node --import) into target processes that talk to the rules server: `oracledb` becomes the fake.
register('./resolve-hook.js', import.meta.url);
