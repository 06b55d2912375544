// The upload module's public face: the uploader, the server back-off, and the
// classification of answers for anyone (tests, the settings page) that needs it.

export { createUploader, importUrl, importPath } from './uploader.js';
export type { Uploader, UploadPayload } from './uploader.js';
export { createBackoff, retryAfterCeilingMs } from './backoff.js';
export type { Backoff, BackoffOptions } from './backoff.js';
export { classifyAnswer, classifyCheckAnswer, classifyError, parseRetryAfterMs } from './classify.js';
export type { HttpAnswer } from './classify.js';
export type { EventPayload, SentFile, ServerCheck, StreamedFile, UploaderOptions, UploadOutcome } from './types.js';
