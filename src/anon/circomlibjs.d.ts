// Minimal typings of the parts of circomlibjs this module uses (the package ships none).
declare module "circomlibjs" {
  /** The BN254 scalar field as circomlibjs represents it (elements are Montgomery-form byte arrays). */
  export interface PoseidonField {
    toObject(element: Uint8Array): bigint;
  }
  /** Poseidon over BN254 with circomlib's constants: `poseidon([a, b, …])` for 1 to 16 inputs. */
  export interface Poseidon {
    (inputs: readonly bigint[]): Uint8Array;
    readonly F: PoseidonField;
  }
  export function buildPoseidon(): Promise<Poseidon>;
}
