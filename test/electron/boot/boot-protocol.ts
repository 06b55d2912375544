// The messages between the boot test and the tray app's main process booted under the
// Electron stand-in, over the child's IPC channel (child_process.fork). Types only: the
// stand-in (electron-stand-in.ts) sends AppToTest, the driver (boot-driver.ts) TestToApp.

export interface MenuItemModel {
  readonly type: 'normal' | 'separator';
  readonly label: string;
  /** A disabled item is greyed out and cannot be clicked, as in a real menu. */
  readonly enabled: boolean;
}

/** The tray as last rendered: one snapshot per tick in which tray.ts changed it. */
export interface TraySnapshot {
  /** The file the icon was made from (nativeImage.createFromPath), e.g. `.../assets/tray-off-16.png`. */
  readonly iconPath: string;
  /** True when that file could not be read: Electron would show an empty icon. */
  readonly iconEmpty: boolean;
  readonly tooltip: string;
  readonly menu: readonly MenuItemModel[];
  readonly destroyed: boolean;
}

export type WindowEvent = 'created' | 'loaded' | 'load-failed' | 'closed';

export type AppToTest =
  | { readonly type: 'tray'; readonly tray: TraySnapshot }
  | { readonly type: 'worker-spawned'; readonly pid: number; readonly modulePath: string }
  | { readonly type: 'worker-exited'; readonly pid: number; readonly code: number | null; readonly signal: string | null }
  | { readonly type: 'window'; readonly event: WindowEvent; readonly url: string; readonly detail?: string }
  | { readonly type: 'notification'; readonly title: string; readonly body: string }
  | { readonly type: 'shell'; readonly op: 'openPath' | 'showItemInFolder'; readonly path: string }
  | { readonly type: 'error-box'; readonly title: string; readonly content: string }
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly value: string }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: string };

export type TestToApp =
  /** Clicks the tray menu item with this label (refused when it is missing or disabled). */
  | { readonly type: 'click'; readonly id: number; readonly label: string }
  /** The text of the first element matching `selector` in the settings window's page. */
  | { readonly type: 'window-text'; readonly id: number; readonly selector: string }
  /** Clicks the first element matching `selector` in the settings window's page, as a person would. */
  | { readonly type: 'window-click'; readonly id: number; readonly selector: string };
