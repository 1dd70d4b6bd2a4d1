/**
 * Preloaded with `node --import` (see modulesLoadedBy in startup.test.ts): registers module-log-hooks.ts
 * so that every ES module the process loads is listed in the file $LMKIT_MODULE_LOG.
 */
import { register } from 'node:module';

const file = process.env.LMKIT_MODULE_LOG;
if (file) register('./module-log-hooks.js', { parentURL: import.meta.url, data: { file } });
