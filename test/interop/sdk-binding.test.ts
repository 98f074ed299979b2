/**
 * The SDK's binding helpers used as a front end uses them: `buildBinding` over an ethers JsonRpcProvider to Hardhat's
 * in-process JSON-RPC server, and `signBindingWithEip1193` against two EIP-1193 objects: one forwarding to the node
 * over HTTP (`eth_signTypedData_v4` by an unlocked account, as a wallet extension forwards to its keyring), and one
 * backed by an ethers Wallet (a fresh key). The signatures are then used by the operator to attest on chain.
 */
import { expect } from "chai";
import {
  HDNodeWallet,
  JsonRpcProvider,
  Wallet,
  ZeroHash,
  getAddress,
  id,
  recoverAddress,
  toQuantity,
  type TransactionRequest,
} from "ethers";
import { network } from "hardhat";
import {
  KycError,
  KycReader,
  SdkError,
  buildBinding,
  signBindingWithEip1193,
  type Eip1193Provider,
  type KycBindingToSign,
} from "jpki-kyc/sdk";

import { cardSign, testCard } from "../helpers/card-proof.js";
import { deployRegistryFixture, latestTime, makeRequest, type RegistryFixture } from "../helpers/registry-fixture.js";

async function expectSdkError(promise: Promise<unknown>, code: string) {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected SdkError ${code}`).to.be.instanceOf(SdkError);
  expect(caught).to.be.instanceOf(KycError);
  expect((caught as SdkError).code).to.equal(code);
  expect((caught as SdkError).message).to.not.include("\n");
}

interface RequestArgs {
  method: string;
  params?: readonly unknown[] | object;
}

/** EIP-1193 over the node's HTTP JSON-RPC; a JSON-RPC error is thrown as `{ code, message }`, like a wallet does. */
function httpEip1193(url: string): Eip1193Provider {
  let next = 0;
  return {
    async request({ method, params }: RequestArgs) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++next, method, params: params ?? [] }),
      });
      const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string } };
      if (body.error !== undefined) throw Object.assign(new Error(body.error.message), { code: body.error.code });
      return body.result;
    },
  };
}

/** EIP-1193 backed by an ethers Wallet; records the typed data it was asked to sign. */
function walletEip1193(wallet: Wallet | HDNodeWallet, chainId: bigint, seen: unknown[]): Eip1193Provider {
  return {
    async request({ method, params }: RequestArgs) {
      const p = (params ?? []) as unknown[];
      if (method === "eth_chainId") return toQuantity(chainId);
      if (method === "eth_accounts") return [wallet.address];
      if (method === "eth_signTypedData_v4") {
        if (getAddress(p[0] as string) !== wallet.address) throw { code: 4100, message: "unauthorized account" };
        const typed = JSON.parse(p[1] as string) as {
          types: Record<string, { name: string; type: string }[]>;
          domain: Record<string, unknown>;
          message: Record<string, unknown>;
        };
        seen.push(typed);
        const { EIP712Domain: _domainType, ...types } = typed.types;
        return wallet.signTypedData(typed.domain, types, typed.message);
      }
      throw { code: 4200, message: `unsupported method ${method}` };
    },
  };
}

/** A wallet that answers `eth_signTypedData_v4` with `sign(params)` and forwards everything else to `inner`. */
function signingWith(inner: Eip1193Provider, sign: (params: unknown[]) => Promise<unknown>): Eip1193Provider {
  return {
    request: (args: RequestArgs) =>
      args.method === "eth_signTypedData_v4" ? sign((args.params ?? []) as unknown[]) : inner.request(args),
  };
}

describe("interop: SDK binding helpers (buildBinding, signBindingWithEip1193)", function () {
  let server: Awaited<ReturnType<typeof network.createServer>>;
  let url: string;
  let setup: Awaited<ReturnType<typeof network.create>>;
  let f: RegistryFixture;
  let provider: JsonRpcProvider;
  let node: Eip1193Provider;

  const build = async (subject: string, overrides: Partial<Parameters<typeof buildBinding>[0]> = {}) =>
    buildBinding({
      provider,
      registry: f.address,
      subject,
      attester: f.attester.address,
      disclose: ["auth", "identity", "age20"],
      deadline: (await latestTime(setup.ethers)) + 3600n,
      ...overrides,
    });

  /** The operator's side: the card signs the same digest, the attester sends `attest` with the wallet's signature. */
  const attest = async (binding: KycBindingToSign, subjectSignature: string, card = 0) => {
    const request = await makeRequest(setup.ethers, binding.subject, {
      disclose: binding.disclose,
      deadline: binding.deadline,
    });
    const modulus = testCard(card).modulus;
    const signature = cardSign(testCard(card), binding.digest);
    await (await f.registry.connect(f.attester).attest(request, modulus, signature, subjectSignature)).wait();
  };

  before(async function () {
    server = await network.createServer("default", "127.0.0.1", 0);
    const { address, port } = await server.listen();
    url = `http://${address}:${port}`;
    setup = await network.create({ network: "localhost", override: { url } });
    f = await deployRegistryFixture(setup.ethers);
    provider = new JsonRpcProvider(url);
    node = httpEip1193(url);
  });

  after(async function () {
    provider?.destroy();
    await setup?.close();
    await server?.close();
  });

  it("builds the binding from the registry and has a node account sign it over HTTP; the operator attests it", async function () {
    const binding = await build(f.alice.address.toLowerCase(), { disclose: 11 });
    expect([binding.chainId, binding.registry, binding.subject, binding.attester]).to.deep.equal([
      31337n,
      f.address,
      f.alice.address,
      f.attester.address,
    ]);
    expect([binding.disclose, binding.nonce]).to.deep.equal([11, 0n]);
    expect(binding.digest).to.equal(
      (
        await f.registry.bindingDigest(f.alice.address, f.attester.address, 11, 0n, binding.deadline, ZeroHash)
      ).toLowerCase(),
    );
    const signature = await signBindingWithEip1193(node, binding);
    expect(signature).to.match(/^0x[0-9a-f]{130}$/);
    expect(recoverAddress(binding.digest, signature)).to.equal(f.alice.address);

    await attest(binding, signature);
    expect(await new KycReader(f.address, provider).isVerified(f.alice.address)).to.equal(true);
    // the nonce was consumed: the next binding reads the new one
    expect((await build(f.alice.address)).nonce).to.equal(1n);
  });

  it("an ethers Wallet behind EIP-1193 gets JSON typed data with EIP712Domain and decimal strings; its binding attests", async function () {
    const wallet = Wallet.createRandom();
    const seen: unknown[] = [];
    const binding = await build(wallet.address, { disclose: ["auth", "age18"] });
    const signature = await signBindingWithEip1193(walletEip1193(wallet, 31337n, seen), binding);
    expect(seen).to.have.length(1);
    expect(seen[0]).to.deep.equal({
      types: {
        EIP712Domain: [
          { name: "name", type: "string" },
          { name: "version", type: "string" },
          { name: "chainId", type: "uint256" },
          { name: "verifyingContract", type: "address" },
        ],
        KycBinding: [
          { name: "subject", type: "address" },
          { name: "attester", type: "address" },
          { name: "disclose", type: "uint32" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint64" },
          { name: "anonCommitment", type: "bytes32" },
        ],
      },
      primaryType: "KycBinding",
      domain: { name: "JPKI KYC Registry", version: "2", chainId: "31337", verifyingContract: f.address },
      message: {
        subject: wallet.address,
        attester: f.attester.address,
        disclose: 5,
        nonce: "0",
        deadline: binding.deadline.toString(),
        anonCommitment: ZeroHash,
      },
    });
    await attest(binding, signature, 1);
    const status = await new KycReader(f.address, provider).kycStatus(wallet.address);
    expect([status.statusName, status.claimNames]).to.deep.equal(["Active", ["auth"]]);
  });

  it("a refused request (EIP-1193 4001) and a failing wallet give typed errors", async function () {
    const binding = await build(f.bob.address);
    const refusing = signingWith(node, async () => {
      throw { code: 4001, message: "User rejected the request." };
    });
    await expectSdkError(signBindingWithEip1193(refusing, binding), "SDK_WALLET_REFUSED");
    // some wallets nest the EIP-1193 error
    const nested = signingWith(node, async () => {
      throw new Error("wrapped", { cause: { code: 4001, message: "User denied message signature" } });
    });
    await expectSdkError(signBindingWithEip1193(nested, binding), "SDK_WALLET_REFUSED");
    const failing = signingWith(node, async () => {
      throw { code: -32601, message: "the method eth_signTypedData_v4 does not exist" };
    });
    await expectSdkError(signBindingWithEip1193(failing, binding), "SDK_WALLET_ERROR");
    expect(await f.registry.nonces(f.bob.address)).to.equal(0n);
  });

  it("garbage from the wallet is refused: not hex, not 65 bytes, not a valid signature", async function () {
    const binding = await build(f.bob.address);
    for (const garbage of [undefined, 42, "0x1234", "0x" + "11".repeat(64), "0x" + "11".repeat(65), "sig"]) {
      await expectSdkError(
        signBindingWithEip1193(
          signingWith(node, async () => garbage),
          binding,
        ),
        "SDK_BAD_SIGNATURE",
      );
    }
  });

  it("attacker: a signature by another account, or by the subject over another binding, is refused", async function () {
    const binding = await build(f.bob.address);
    // the wallet has another account selected: the node's carol signs bob's binding
    const otherAccount = signingWith(node, (params) =>
      node.request({ method: "eth_signTypedData_v4", params: [f.carol.address, params[1]] }),
    );
    await expectSdkError(signBindingWithEip1193(otherAccount, binding), "SDK_WRONG_ACCOUNT");
    // the wallet signs a binding naming another operator (what a malicious page would slip in)
    const swapped = await build(f.bob.address, { attester: f.attester2.address, deadline: binding.deadline });
    const otherBinding = signingWith(node, () => signBindingWithEip1193(node, swapped));
    await expectSdkError(signBindingWithEip1193(otherBinding, binding), "SDK_WRONG_ACCOUNT");
    // the right signature still passes through the same wrapper shape
    const honest = signingWith(node, (params) => node.request({ method: "eth_signTypedData_v4", params }));
    expect(recoverAddress(binding.digest, await signBindingWithEip1193(honest, binding))).to.equal(f.bob.address);
  });

  it("a wallet on another chain, or a binding altered after it was built, is refused before signing", async function () {
    const binding = await build(f.bob.address);
    let asked = false;
    const otherChain: Eip1193Provider = {
      request: async ({ method, params }: RequestArgs) => {
        if (method === "eth_chainId") return "0x1";
        if (method === "eth_signTypedData_v4") asked = true;
        return node.request({ method, params });
      },
    };
    await expectSdkError(signBindingWithEip1193(otherChain, binding), "SDK_WRONG_CHAIN");
    await expectSdkError(signBindingWithEip1193(node, { ...binding, disclose: 15 }), "SDK_INVALID_BINDING");
    await expectSdkError(signBindingWithEip1193(node, { ...binding, chainId: 1n }), "SDK_INVALID_BINDING");
    await expectSdkError(signBindingWithEip1193(node, { ...binding, subject: "0x12" }), "SDK_INVALID_BINDING");
    expect(asked).to.equal(false);
  });

  it("buildBinding: typed errors for bad arguments, no registry, a registry that disagrees, an unreachable node", async function () {
    await expectSdkError(build("alice"), "SDK_INVALID_ADDRESS");
    await expectSdkError(build(f.bob.address, { registry: "0x1234" }), "SDK_INVALID_ADDRESS");
    await expectSdkError(build(f.bob.address, { attester: "" }), "SDK_INVALID_ADDRESS");
    await expectSdkError(build("0x0000000000000000000000000000000000000000"), "SDK_INVALID_ADDRESS");
    await expectSdkError(build(f.bob.address, { disclose: ["age20"] }), "SDK_INVALID_CLAIMS");
    await expectSdkError(build(f.bob.address, { disclose: ["auth", "age21"] }), "SDK_INVALID_CLAIMS");
    await expectSdkError(build(f.bob.address, { deadline: 0n }), "SDK_INVALID_BINDING");
    await expectSdkError(build(f.bob.address, { deadline: 2n ** 64n }), "SDK_INVALID_BINDING");
    await expectSdkError(build(f.bob.address, { deadline: 1.5 }), "SDK_INVALID_BINDING");
    // an account, and a contract that is not a registry (the EAS read face)
    await expectSdkError(build(f.bob.address, { registry: f.carol.address }), "SDK_NOT_A_REGISTRY");
    const face = await setup.ethers.deployContract("KycEasReadFace", [f.address, 0]);
    await expectSdkError(build(f.bob.address, { registry: await face.getAddress() }), "SDK_NOT_A_REGISTRY");
    // a registry whose bindingDigest is not the EIP-712 digest of the fields (another version, or a lying node)
    const selector = id("bindingDigest(address,address,uint32,uint256,uint64,bytes32)").slice(0, 10);
    class LyingProvider extends JsonRpcProvider {
      override async call(tx: TransactionRequest): Promise<string> {
        if (typeof tx.data === "string" && tx.data.startsWith(selector)) return "0x" + "ab".repeat(32);
        return super.call(tx);
      }
    }
    const lying = new LyingProvider(url);
    await expectSdkError(build(f.bob.address, { provider: lying }), "SDK_DIGEST_MISMATCH");
    lying.destroy();
    const down = new JsonRpcProvider("http://127.0.0.1:9", 31337, { staticNetwork: true });
    await expectSdkError(build(f.bob.address, { provider: down }), "SDK_UNAVAILABLE");
    down.destroy();
  });
});
