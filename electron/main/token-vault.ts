// The token vault on Electron's safeStorage (DPAPI on Windows: only this Windows user on
// this machine can decrypt). Electron 39's API (see node_modules/electron/electron.d.ts)
// has only the synchronous encryptString / decryptString: no encryptStringAsync yet. The
// vault's interface is already asynchronous, so moving to the async API when Electron
// ships it changes this file only.
import { safeStorage } from 'electron';
import type { TokenVault } from './settings-service.js';

export function createSafeStorageVault(): TokenVault {
  return {
    isAvailable() {
      if (!safeStorage.isEncryptionAvailable()) return false;
      // On Linux without a keyring, safeStorage "encrypts" with a fixed key: not worth the name.
      return process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text';
    },
    async encrypt(token) {
      return safeStorage.encryptString(token).toString('base64');
    },
    async decrypt(encryptedBase64) {
      return safeStorage.decryptString(Buffer.from(encryptedBase64, 'base64'));
    },
  };
}
