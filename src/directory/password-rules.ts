/**
 * What a password may be, checked at the login form and in the seed file, so that a password is
 * exactly the characters typed and no two different passwords are equivalent.
 *
 * scrypt's first step is PBKDF2-HMAC-SHA256 keyed with the password, and HMAC pads a key shorter
 * than its 64-byte block with zero bytes: "demo-dave" and "demo-dave\u0000" give the same key.
 * No control character (\p{Cc}: NUL, line breaks, tab, DEL, C1 controls) can be part of a
 * password, which removes that equivalence; nobody types them into a password field anyway.
 *
 * Two more facts, documented rather than changed: a key longer than 64 bytes is first replaced
 * by its SHA-256 digest, so a password of more than 64 UTF-8 bytes is equivalent to those 32 raw
 * bytes — finding such a pair needs the password itself (or a SHA-256 preimage), and the bytes
 * would also have to be valid UTF-8 without control characters; and passwords are compared as
 * UTF-8 without Unicode normalization, so "é" typed as one code point and as e + U+0301 are two
 * different passwords.
 */
const MAX_PASSWORD_LENGTH = 1024;

export type PasswordProblem = 'control-character' | 'too-long';

export function passwordProblem(password: string): PasswordProblem | undefined {
  if (/\p{Cc}/u.test(password)) return 'control-character';
  if (password.length > MAX_PASSWORD_LENGTH) return 'too-long';
  return undefined;
}
