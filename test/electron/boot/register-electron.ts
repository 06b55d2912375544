// Given to the main process with `node --import register-electron.js main.js`: from here on
// the specifier 'electron' resolves to the stand-in (electron-stand-in.js), so the built
// main process runs unchanged under plain Node. Needs Node 20.6+ (module.register).
import { register } from 'node:module';

register('./resolve-electron.js', import.meta.url, {
  data: { standInUrl: new URL('./electron-stand-in.js', import.meta.url).href },
});
