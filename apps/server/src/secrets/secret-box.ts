/**
 * Secrets kept in task configs (a Dify API key) are encrypted at rest with AES-256-GCM and shown
 * only masked. The key comes from the `secretKey` setting (KAIROS_SECRET_KEY, hashed to 32 bytes)
 * or, when unset, from `secret.key` in the data directory, generated at first use. Nodes of one
 * cluster must share the key: set KAIROS_SECRET_KEY on every node.
 *
 * Stored form: `enc:v1:<mask>:<iv>:<tag>:<ciphertext>` (base64url parts). The mask (`app-****abcd`)
 * is kept in clear so that listing tasks needs no decryption.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'enc:v1:';
const KEY_FILE = 'secret.key';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** From the setting, else the data directory's key file (created if missing). */
  static open(options: { secretKey?: string | undefined; dataDir: string }): SecretBox {
    if (options.secretKey !== undefined) {
      return new SecretBox(createHash('sha256').update(options.secretKey, 'utf8').digest());
    }
    const path = join(options.dataDir, KEY_FILE);
    try {
      return new SecretBox(decodeKeyFile(readFileSync(path, 'utf8'), path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    mkdirSync(options.dataDir, { recursive: true });
    try {
      // 'wx': two processes starting together cannot both write; the loser reads the winner's.
      writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return new SecretBox(decodeKeyFile(readFileSync(path, 'utf8'), path));
  }

  /** A box with a given key (tests, benchmarks). */
  static withKey(secretKey: string): SecretBox {
    return SecretBox.open({ secretKey, dataDir: '.' });
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  /** `app-****abcd` for `app-…abcd`; the prefix is kept only when it is the usual `xxx-`. */
  static mask(secret: string): string {
    const prefix = /^[a-z]{2,8}-/.exec(secret)?.[0] ?? '';
    return `${prefix}****${secret.length >= prefix.length + 6 ? secret.slice(-4) : ''}`;
  }

  static isMasked(value: string): boolean {
    return value.includes('****');
  }

  /** The mask stored with a sealed value. */
  static maskOf(sealed: string): string {
    const part = sealed.slice(PREFIX.length).split(':')[0] ?? '';
    return Buffer.from(part, 'base64url').toString('utf8');
  }

  seal(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const parts = [Buffer.from(SecretBox.mask(secret)), iv, cipher.getAuthTag(), data];
    return PREFIX + parts.map((p) => p.toString('base64url')).join(':');
  }

  /** Throws when the value was sealed with another key (or altered). */
  open(sealed: string): string {
    if (!SecretBox.isSealed(sealed)) return sealed;
    const [, iv, tag, data] = sealed
      .slice(PREFIX.length)
      .split(':')
      .map((p) => Buffer.from(p, 'base64url'));
    if (!iv || !tag || !data) throw new Error('the stored secret is damaged');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(
        "the stored secret cannot be decrypted with this node's key: set the same KAIROS_SECRET_KEY on every node (or restore secret.key in the data directory)",
      );
    }
  }
}

function decodeKeyFile(text: string, path: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32)
    throw new Error(`${path} must hold 32 bytes in base64 (delete it to generate a new one)`);
  return key;
}
