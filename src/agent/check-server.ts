// "Test connection" and `check`'s server line: asks the configured server's import endpoint whether
// it takes the token, sending no event (the safe probe, upload/classify.ts classifyCheckAnswer).
import type { Config } from '../config/types.js';
import { createUploader } from '../upload/index.js';
import type { ServerCheck, UploaderOptions } from '../upload/types.js';

/** The uploader settings a config asks for (concurrency may be narrowed, e.g. 1 for a check). */
export function uploaderOptions(config: Config, concurrency = config.concurrency): UploaderOptions {
  return {
    url: config.sfmUrl,
    token: config.apiToken,
    caFile: config.caFile,
    proxy: config.proxy,
    timeoutMs: config.httpTimeoutSeconds * 1000,
    concurrency,
  };
}

export async function checkServer(config: Config): Promise<ServerCheck> {
  if (config.sfmUrl === '') {
    return { kind: 'failed', token: 'unknown', reason: 'SFM_URL is empty: set it to the server address, e.g. http://sfm.example:8000' };
  }
  let uploader;
  try {
    uploader = createUploader(uploaderOptions(config, 1));
  } catch (err) {
    return { kind: 'failed', token: 'unknown', reason: (err as Error).message };
  }
  try {
    return await uploader.check();
  } finally {
    await uploader.close().catch(() => undefined);
  }
}
