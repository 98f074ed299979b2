/** Files the prover and the verifier need, as made by `npm run zk:dev-setup` or the production ceremony. */
export interface AnonArtifacts {
  /** The directory holding the files. */
  readonly dir: string;
  /** The witness calculator compiled by circom (`anon.wasm`). */
  readonly wasm: string;
  /** The Groth16 proving key (`anon.zkey`). */
  readonly zkey: string;
  /** The constraint system (`anon.r1cs`), for witness checks in tests. */
  readonly r1cs: string;
  /** The verification key exported from the proving key (`verification_key.json`). */
  readonly verificationKey: string;
}
