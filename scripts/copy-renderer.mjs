#!/usr/bin/env node
// Copies the settings page's HTML and CSS next to its compiled script
// (dist/electron/renderer/), where the main process loads it from.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'electron', 'renderer');
const to = join(root, 'dist', 'electron', 'renderer');
mkdirSync(to, { recursive: true });
for (const name of ['settings.html', 'settings.css']) copyFileSync(join(from, name), join(to, name));
console.log(`copied settings.html, settings.css to ${to}`);
