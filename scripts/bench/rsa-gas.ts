/**
 * RSA PKCS#1 v1.5 SHA-256 verification gas (RSA-2048 unless asked otherwise), measured in one run on the connected network (the in-process
 * Hardhat network, hardfork Osaka, in the benchmark): our `RsaPkcs1` library, OpenZeppelin's `RSA.pkcs1Sha256`, and
 * a bare MODEXP precompile call. Each figure is the execution gas of the verification alone, read with `gasleft()`
 * around it inside `contracts/mocks/RsaGasProbe.sol` (called with eth_call), so calldata, ABI decoding and
 * transaction overheads are excluded. Called by `scripts/bench/gas.ts`; no dependency on `hre`.
 */
import crypto from "node:crypto";

import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

/** Execution gas of one RSA verification (RSA-2048 unless another size was asked for). */
export interface RsaGas {
  /** `RsaPkcs1.pkcs1Sha256e65537` (calldata arguments, e = 65537): the entry point the registry uses. */
  ours: number;
  /** `RsaPkcs1.pkcs1Sha256` (memory arguments, any exponent), for comparison with OpenZeppelin's same-shaped API. */
  oursGeneric: number;
  /** OpenZeppelin `RSA.pkcs1Sha256(bytes32, bytes, bytes, bytes)` (memory arguments). */
  openzeppelin: number;
  /** The MODEXP precompile staticcall alone (its input already in memory). */
  modexp: number;
}

/** Deploys the probe, signs one message with a fresh `bits`-bit key (e = 65537) and measures the four paths. */
export async function measureRsaGas(ethers: HardhatEthers, bits = 2048): Promise<RsaGas> {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: bits, publicExponent: 65537 });
  const jwk = publicKey.export({ format: "jwk" });
  const n = Buffer.from(jwk.n!, "base64url");
  const e = Buffer.from(jwk.e!, "base64url");
  const message = crypto.randomBytes(32);
  const digest = crypto.createHash("sha256").update(message).digest();
  const signature = crypto.sign("sha256", message, privateKey);

  const probe = await ethers.deployContract("RsaGasProbe");
  const [okOurs, ours] = await probe.measureOursE65537(digest, signature, n);
  const [okGeneric, oursGeneric] = await probe.measureOurs(digest, signature, e, n);
  const [okOz, openzeppelin] = await probe.measureOpenZeppelin(digest, signature, e, n);
  const [, modexp] = await probe.measureModexp(signature, e, n);
  if (!okOurs || !okGeneric || !okOz) {
    throw new Error(`RSA gas probe: a valid signature was rejected (ours ${okOurs}, generic ${okGeneric}, oz ${okOz})`);
  }
  return {
    ours: Number(ours),
    oursGeneric: Number(oursGeneric),
    openzeppelin: Number(openzeppelin),
    modexp: Number(modexp),
  };
}
