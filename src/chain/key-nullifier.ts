import { concat, keccak256, toBeHex } from "ethers";

/** The key type of the registry's inline RSA path. */
export const KEY_TYPE_RSA = 0;

/**
 * The registry's key nullifier of a card public key: `keccak256(uint8 keyType ‖ publicKey)`, so keys of different
 * types never share a nullifier. For the RSA path `publicKey` is the big-endian modulus without leading zeros.
 */
export function keyNullifier(publicKey: string | Uint8Array, keyType: number = KEY_TYPE_RSA): string {
  if (!Number.isInteger(keyType) || keyType < 0 || keyType > 255) throw new RangeError("keyType is a uint8");
  return keccak256(concat([toBeHex(keyType, 1), publicKey]));
}
