/**
 * The subject's consent (protocol v2): `signBindingWithWallet` has the subject's own wallet sign the binding and
 * refuses any other wallet or answer; `checkSubjectSignature` accepts what the registry accepts (ECDSA by the subject,
 * else the subject's ERC-1271 answer) and nothing else.
 */
import { expect } from "chai";

import { ZeroHash, getBytes, hexlify, id, recoverAddress, Wallet, type Contract } from "ethers";
import { network } from "hardhat";

import { BindingError } from "../../src/binding/binding-error.js";
import { bindingTypedData, computeBindingDigest, type KycBinding } from "../../src/binding/kyc-binding.js";
import type { SignedBinding } from "../../src/binding/proof-request.js";
import { checkSubjectSignature, ERC1271_MAGIC } from "../../src/binding/subject-signature.js";
import { signBindingWithWallet, type WalletSigner } from "../../src/binding/wallet-consent.js";
import { Claim } from "../../src/claims.js";

const { ethers } = await network.create();

const subjectWallet = new Wallet(id("wallet-consent test: subject"));
const otherWallet = new Wallet(id("wallet-consent test: someone else"));
const ATTESTER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

function signedBinding(overrides: Partial<KycBinding> = {}): SignedBinding {
  const b: KycBinding = {
    chainId: 31337n,
    registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    subject: subjectWallet.address,
    attester: ATTESTER,
    disclose: Claim.AUTH | Claim.AGE_18,
    nonce: 3n,
    deadline: 1_900_000_000n,
    anonCommitment: ZeroHash,
    ...overrides,
  };
  return { ...b, digest: computeBindingDigest(b) };
}

/** A wallet adapter that records what it was asked to sign and answers with `sign`. */
function fakeWallet(
  address: string,
  sign: (typed: ReturnType<typeof bindingTypedData>) => Promise<string>,
): WalletSigner & { asked: number } {
  const w = {
    asked: 0,
    getAddress: async () => address,
    signTypedData: async (
      domain: ReturnType<typeof bindingTypedData>["domain"],
      types: ReturnType<typeof bindingTypedData>["types"],
      message: ReturnType<typeof bindingTypedData>["message"],
    ) => {
      w.asked++;
      return sign({ domain, types, primaryType: "KycBinding", message });
    },
  };
  return w;
}

async function expectBindingError(p: Promise<unknown>, code: string, fragment?: string): Promise<BindingError> {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(BindingError);
    expect((error as BindingError).code, (error as Error).message).to.equal(code);
    if (fragment !== undefined) expect((error as Error).message).to.contain(fragment);
    return error as BindingError;
  }
  throw new Error(`expected BindingError ${code}`);
}

describe("signBindingWithWallet: the subject's wallet consents first", function () {
  it("the subject's wallet signs the EIP-712 binding: 65 bytes that recover to the subject over the digest", async function () {
    const binding = signedBinding();
    const signature = await signBindingWithWallet(subjectWallet, binding);
    expect(signature).to.have.length(65);
    expect(recoverAddress(binding.digest, hexlify(signature))).to.equal(subjectWallet.address);
    // What the wallet was shown is exactly the binding: subject, operator, claims, nonce, deadline under domain "2".
    const typed = bindingTypedData(binding);
    expect(typed.domain.version).to.equal("2");
    expect(typed.message).to.deep.equal({
      subject: subjectWallet.address,
      attester: ATTESTER,
      disclose: Claim.AUTH | Claim.AGE_18,
      nonce: 3n,
      deadline: 1_900_000_000n,
      anonCommitment: ZeroHash,
    });
  });

  it("refuses a wallet that is not the subject (BINDING_WRONG_WALLET) without asking it to sign", async function () {
    const other = fakeWallet(otherWallet.address, (t) => otherWallet.signTypedData(t.domain, t.types, t.message));
    const error = await expectBindingError(
      signBindingWithWallet(other, signedBinding()),
      "BINDING_WRONG_WALLET",
      otherWallet.address,
    );
    expect(error.message).to.contain(subjectWallet.address);
    expect(other.asked).to.equal(0);
    // Lower-case addresses are the same wallet, not a wrong one.
    const sameLower = fakeWallet(subjectWallet.address.toLowerCase(), (t) =>
      subjectWallet.signTypedData(t.domain, t.types, t.message),
    );
    expect(await signBindingWithWallet(sameLower, signedBinding())).to.have.length(65);
  });

  it("a wallet that declines (throws) is BINDING_WALLET_REFUSED, with the wallet's error as the cause", async function () {
    const declined = new Error("User rejected the request.");
    const wallet = fakeWallet(subjectWallet.address, async () => {
      throw declined;
    });
    const error = await expectBindingError(signBindingWithWallet(wallet, signedBinding()), "BINDING_WALLET_REFUSED");
    expect(error.cause).to.equal(declined);
    expect(wallet.asked).to.equal(1);
  });

  it("a wallet that signs something else is BINDING_WALLET_REFUSED", async function () {
    const binding = signedBinding();
    // The subject's key, but over a binding with a later deadline (a wallet that altered the message).
    const altered = fakeWallet(subjectWallet.address, (t) =>
      subjectWallet.signTypedData(t.domain, t.types, { ...t.message, deadline: t.message.deadline + 1n }),
    );
    await expectBindingError(
      signBindingWithWallet(altered, binding),
      "BINDING_WALLET_REFUSED",
      "not over this binding",
    );
    // The subject's key, but for another operator.
    const otherOperator = fakeWallet(subjectWallet.address, (t) =>
      subjectWallet.signTypedData(t.domain, t.types, { ...t.message, attester: otherWallet.address }),
    );
    await expectBindingError(signBindingWithWallet(otherOperator, binding), "BINDING_WALLET_REFUSED");
    // Claims to be the subject, signs with another key.
    const impostor = fakeWallet(subjectWallet.address, (t) => otherWallet.signTypedData(t.domain, t.types, t.message));
    await expectBindingError(signBindingWithWallet(impostor, binding), "BINDING_WALLET_REFUSED");
    // Not a signature at all.
    const garbage = fakeWallet(subjectWallet.address, async () => "0x1234");
    await expectBindingError(signBindingWithWallet(garbage, binding), "BINDING_WALLET_REFUSED", "malformed");
  });
});

describe("checkSubjectSignature: ECDSA by the subject, else ERC-1271", function () {
  let chainId: bigint;
  let registry: string;
  let account: Contract;
  let pool: string;

  before(async function () {
    const [deployer, owner] = await ethers.getSigners();
    chainId = (await ethers.provider.getNetwork()).chainId;
    // The registry address only enters the EIP-712 domain here; any address will do.
    registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    account = (await ethers.deployContract("SmartAccountMock", [owner!.address], deployer)) as unknown as Contract;
    pool = await (await ethers.deployContract("PoolMock", [], deployer)).getAddress();
  });

  const bindingFor = (subject: string) => signedBinding({ chainId, registry, subject });
  const sign = async (signer: { signTypedData: Wallet["signTypedData"] }, b: SignedBinding) => {
    const t = bindingTypedData(b);
    return getBytes(await signer.signTypedData(t.domain, t.types, t.message));
  };

  it("accepts an EOA's own signature as ecdsa; refuses another key's, another binding's, and garbage", async function () {
    const [, , holder, stranger] = await ethers.getSigners();
    const b = bindingFor(holder!.address);
    expect(await checkSubjectSignature(ethers.provider, b.subject, b.digest, await sign(holder!, b))).to.equal("ecdsa");
    expect(await checkSubjectSignature(ethers.provider, b.subject, b.digest, await sign(stranger!, b))).to.equal(
      undefined,
    );
    const other = signedBinding({ chainId, registry, subject: holder!.address, deadline: b.deadline + 1n });
    expect(await checkSubjectSignature(ethers.provider, b.subject, b.digest, await sign(holder!, other))).to.equal(
      undefined,
    );
    expect(await checkSubjectSignature(ethers.provider, b.subject, b.digest, new Uint8Array(65))).to.equal(undefined);
    expect(await checkSubjectSignature(ethers.provider, b.subject, b.digest, new Uint8Array(0))).to.equal(undefined);
  });

  it("accepts a smart account whose ERC-1271 approves (its owner signed) as erc1271; refuses a non-owner", async function () {
    const [, owner, holder] = await ethers.getSigners();
    const address = await account.getAddress();
    const b = bindingFor(address);
    const byOwner = await sign(owner!, b);
    // The account itself answers the magic value for the owner's signature (the mock is what we think it is).
    expect(await account.getFunction("isValidSignature")(b.digest, hexlify(byOwner))).to.equal(ERC1271_MAGIC);
    expect(await checkSubjectSignature(ethers.provider, address, b.digest, byOwner)).to.equal("erc1271");
    expect(await checkSubjectSignature(ethers.provider, address, b.digest, await sign(holder!, b))).to.equal(undefined);
  });

  it("refuses a contract without ERC-1271 (a pool): nobody can consent for it", async function () {
    const [deployer] = await ethers.getSigners();
    const b = bindingFor(pool);
    // Whoever signs — the pool's deployer included — the pool gives no consent (the call reverts: no such function).
    expect(await checkSubjectSignature(ethers.provider, pool, b.digest, await sign(deployer!, b))).to.equal(undefined);
    expect(await checkSubjectSignature(ethers.provider, pool, b.digest, new Uint8Array(65))).to.equal(undefined);
  });
});
