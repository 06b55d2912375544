// Issue 10 item 5: when the tray app opens Settings by itself at start (electron/main/first-start.ts).
// The boot tests show it happening in the app: boot-first-start.test.ts (opens) and boot.test.ts (does not).
import { describe, expect, it } from 'vitest';
import { settingsAtStart } from '../../electron/main/first-start.js';

describe('Settings opens by itself at start', () => {
  const cases = [
    ['config.ini was just copied from the template', true, '', false, 'config-created'],
    ['config.ini was just created, even with a server in the template', true, 'http://sfm.example:8000', true, 'config-created'],
    ['no server address and forwarding off (Settings was closed without saving)', false, '', false, 'never-configured'],
    ['a server address made only of spaces counts as none', false, '   ', false, 'never-configured'],
    ['a server address set, forwarding off: someone chose that', false, 'http://sfm.example:8000', false, null],
    ['a server address set, forwarding on: configured', false, 'http://sfm.example:8000', true, null],
    ['forwarding on without an address: a bad config.ini, named elsewhere', false, '', true, null],
  ] as const;
  for (const [name, configCreated, sfmUrl, forwardEnabled, expected] of cases) {
    it(`${expected ?? 'does not open'} when ${name}`, () => {
      expect(settingsAtStart({ configCreated, config: { sfmUrl, forwardEnabled } })).toBe(expected);
    });
  }
});
