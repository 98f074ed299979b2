// Minimal typings of the parts of circomlibjs this module uses (the package ships none).
declare module "circomlibjs" {
  /** The BN254 scalar field as circomlibjs represents it (elements are Montgomery-form byte arrays). */
  export interface PoseidonField {
    toObject(element: Uint8Array): bigint;
    /** The field element of an integer (reduced modulo the order), in the byte form `Poseidon` takes. */
    e(value: bigint): Uint8Array;
  }
  /**
   * Poseidon over BN254 with circomlib's constants: `poseidon([a, b, …])` for 1 to 16 inputs, or the inputs as
   * consecutive 32-byte field elements (`PoseidonField.e`, or an earlier output) in one array.
   */
  export interface Poseidon {
    (inputs: readonly bigint[] | Uint8Array): Uint8Array;
    readonly F: PoseidonField;
  }
  export function buildPoseidon(): Promise<Poseidon>;
}
