// Renders a TrayView (tray-view.ts decides everything) into Electron's Tray and Menu.
import path from 'node:path';
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import type { TrayAction, TrayView } from './tray-view.js';

export interface TrayRenderer {
  render(view: TrayView): void;
  destroy(): void;
}

export function createTrayRenderer(assetsDir: string, onAction: (action: TrayAction) => void, onOpen: () => void): TrayRenderer {
  const images = new Map<string, NativeImage>();
  function imageFor(icon: TrayView['icon']): NativeImage {
    let image = images.get(icon);
    if (image === undefined) {
      if (process.platform === 'win32') {
        // The .ico holds 16..64 px; Windows picks the size for the display scale.
        image = nativeImage.createFromPath(path.join(assetsDir, `${icon}.ico`));
      } else {
        image = nativeImage.createFromPath(path.join(assetsDir, `${icon}-16.png`));
        image.addRepresentation({ scaleFactor: 2, buffer: nativeImage.createFromPath(path.join(assetsDir, `${icon}-32.png`)).toPNG() });
      }
      images.set(icon, image);
    }
    return image;
  }

  let tray: Tray | null = null;
  let shown = '';

  return {
    render(view) {
      // Rebuilding an identical menu makes an open menu flicker on Windows: skip it.
      const key = JSON.stringify(view);
      if (key === shown && tray !== null) return;
      shown = key;
      if (tray === null) {
        tray = new Tray(imageFor(view.icon));
        tray.on('double-click', onOpen);
        // A left click shows the same menu as a right click.
        tray.on('click', () => tray?.popUpContextMenu());
      } else {
        tray.setImage(imageFor(view.icon));
      }
      tray.setToolTip(view.tooltip);
      const template: MenuItemConstructorOptions[] = view.menu.map((item) => {
        switch (item.kind) {
          case 'status':
            return { label: item.label, enabled: false };
          case 'separator':
            return { type: 'separator' };
          case 'action':
            return { label: item.label, enabled: item.enabled, click: () => onAction(item.action) };
        }
      });
      tray.setContextMenu(Menu.buildFromTemplate(template));
    },
    destroy() {
      tray?.destroy();
      tray = null;
    },
  };
}
