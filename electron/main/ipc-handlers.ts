// The main-process side of the settings page's calls: one handler per channel of the
// shared contract, each checking its arguments (they come from a renderer, so they are
// untrusted, whatever the preload's types say) before the settings service sees them.
// The sender is checked before this, in settings-window.ts (window-security.ts decides).
// Electron-free: the browser test drives the page through this same table.
import { findKeySpec } from '../../src/config/index.js';
import type {
  ChannelResult,
  FormValues,
  SaveRequest,
  SettingsChannel,
  TokenChange,
} from '../shared/settings-api.js';
import { isFormKey, type SettingsService } from './settings-service.js';
import { checkEventFilenames } from '../shared/protocol-check.js';

/** Longer than any path or URL a person types; stops a runaway page from sending megabytes. */
export const MAX_VALUE_CHARS = 4096;

export class BadArguments extends Error {
  override readonly name = 'BadArguments';
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function text(x: unknown, what: string): string {
  if (typeof x !== 'string') throw new BadArguments(`${what} must be text`);
  if (x.length > MAX_VALUE_CHARS) throw new BadArguments(`${what} is longer than ${MAX_VALUE_CHARS} characters`);
  return x;
}

function arity(args: readonly unknown[], n: number, channel: string): void {
  if (args.length !== n) throw new BadArguments(`${channel} takes ${n} argument(s), got ${args.length}`);
}

/** Edited values: only keys the form shows (the token travels as a TokenChange, never as a value). */
export function checkFormValues(x: unknown): FormValues {
  if (!isRecord(x)) throw new BadArguments('the form values must be an object');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(x)) {
    const spec = findKeySpec(key);
    if (spec === undefined || !isFormKey(spec)) throw new BadArguments(`${key.slice(0, 64)} is not a setting the form can change`);
    out[spec.key] = text(value, spec.key);
  }
  return out;
}

export function checkTokenChange(x: unknown): TokenChange {
  if (!isRecord(x)) throw new BadArguments('the token change must be an object');
  if (x['action'] === 'keep' || x['action'] === 'clear') return { action: x['action'] };
  if (x['action'] === 'replace') return { action: 'replace', token: text(x['token'], 'the token') };
  throw new BadArguments('the token change must be keep, replace or clear');
}

export function checkSaveRequest(x: unknown): SaveRequest {
  if (!isRecord(x)) throw new BadArguments('the save request must be an object');
  if (typeof x['startAtLogin'] !== 'boolean') throw new BadArguments('startAtLogin must be true or false');
  return { changes: checkFormValues(x['changes']), token: checkTokenChange(x['token']), startAtLogin: x['startAtLogin'] };
}

/** A held-back event's name: an event binary's file name, nothing else (never a path). */
export function checkHeldBackName(x: unknown): string {
  const name = text(x, 'the held-back file name');
  if (checkEventFilenames([name]) === null) throw new BadArguments(`${name.slice(0, 64)} is not an event file name (e.g. M529LK44.AB0)`);
  return name;
}

export interface WindowActions {
  chooseFolder(current: string): Promise<string | null>;
  close(): void;
}

type Handler<C extends SettingsChannel> = (args: readonly unknown[]) => Promise<ChannelResult<C>>;
export type HandlerTable = { readonly [C in SettingsChannel]: Handler<C> };

/** Every channel of the contract -> its checked handler. The type makes a missing channel a compile error. */
export function createIpcHandlers(service: SettingsService, window: WindowActions): HandlerTable {
  return {
    'settings:load': async (args) => {
      arity(args, 0, 'settings:load');
      return service.load();
    },
    'settings:validate': async (args) => {
      arity(args, 2, 'settings:validate');
      return service.validate(text(args[0], 'the key'), text(args[1], 'the value'));
    },
    'settings:save': async (args) => {
      arity(args, 1, 'settings:save');
      return service.save(checkSaveRequest(args[0]));
    },
    'settings:test-connection': async (args) => {
      arity(args, 2, 'settings:test-connection');
      return service.testConnection(checkFormValues(args[0]), checkTokenChange(args[1]));
    },
    'settings:preview-seed': async (args) => {
      arity(args, 0, 'settings:preview-seed');
      return service.previewSeed();
    },
    'settings:seed': async (args) => {
      arity(args, 0, 'settings:seed');
      return service.seedBacklog();
    },
    'settings:choose-folder': async (args) => {
      arity(args, 1, 'settings:choose-folder');
      return window.chooseFolder(text(args[0], 'the current folder'));
    },
    'settings:close': async (args) => {
      arity(args, 0, 'settings:close');
      window.close();
    },
    'settings:held-back-retry': async (args) => {
      arity(args, 1, 'settings:held-back-retry');
      return service.heldBack('retry', checkHeldBackName(args[0]));
    },
    'settings:held-back-dismiss': async (args) => {
      arity(args, 1, 'settings:held-back-dismiss');
      return service.heldBack('dismiss', checkHeldBackName(args[0]));
    },
  };
}

/** The channels of a handler table, for registering them one by one. */
export function channelsOf(table: HandlerTable): SettingsChannel[] {
  return Object.keys(table) as SettingsChannel[];
}
