// The resolve hook register-electron.ts installs (it runs on Node's loader thread): 'electron'
// -> the stand-in's file URL; every other specifier resolves as usual.
import type { InitializeHook, ResolveHook } from 'node:module';

let standInUrl = '';

export const initialize: InitializeHook<{ readonly standInUrl: string }> = (data) => {
  standInUrl = data.standInUrl;
};

export const resolve: ResolveHook = (specifier, context, nextResolve) =>
  specifier === 'electron' ? { url: standInUrl, shortCircuit: true } : nextResolve(specifier, context);
