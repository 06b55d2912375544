// The upload module's public face: the uploader, the server back-off, and the
// classification of answers for anyone (tests, the settings page) that needs it.

export { createUploader, importUrl } from './uploader.js';
export type { Uploader, UploadPayload } from './uploader.js';
export { createBackoff, retryAfterCeilingMs } from './backoff.js';
export type { Backoff } from './backoff.js';
export { classifyAnswer, parseRetryAfterMs } from './classify.js';
export type { HttpAnswer } from './classify.js';
export type { ServerCheck, UploaderOptions, UploadOutcome } from './types.js';
