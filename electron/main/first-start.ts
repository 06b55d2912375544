// Whether the tray app opens the settings window by itself when it starts (issue 10, item 5:
// forwarding off is never silent). Electron-free; main.ts asks once per start.
//
// The rule: Settings opens at start when
//   1. config.ini did not exist and was just copied from config-template.ini (a first install,
//      or a --config path that did not exist yet), or
//   2. forwarding was never configured: SFM_URL is empty AND SFM_FORWARD_ENABLED is off.
//      Nothing can ever be sent from such a PC; and this is exactly what a technician leaves
//      behind who closed the first Settings without saving, so the next start asks again.
// It does not open when a server address is set but forwarding is off: someone chose that
// (the tooltip and the reminders say forwarding is off); nor when forwarding is on with an
// empty address (a bad config.ini, which the status and a notification already name).
// The values are the effective ones (a bad value counts as its default), as the agent runs.
import type { Config } from '../../src/config/types.js';

export type FirstStartReason = 'config-created' | 'never-configured';

/** Why Settings opens by itself at this start, or null when it does not. */
export function settingsAtStart(input: {
  readonly configCreated: boolean;
  readonly config: Pick<Config, 'sfmUrl' | 'forwardEnabled'>;
}): FirstStartReason | null {
  if (input.configCreated) return 'config-created';
  if (input.config.sfmUrl.trim() === '' && !input.config.forwardEnabled) return 'never-configured';
  return null;
}
