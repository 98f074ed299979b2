import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { hexlify, toBeHex, Wallet, type BaseWallet, type TypedDataField } from "ethers";
import { chromium, type BrowserContext, type Page } from "playwright-core";

import { anonSecretDigest, anonSecretFromSignature } from "../../src/anon/holder-secret.js";
import { loadAnonHasher } from "../../src/anon/poseidon.js";
import { proofRequestToJson } from "../../src/binding/proof-request.js";
import { ApduCardSigner } from "../../src/card/apdu/apdu-card-signer.js";
import { CardError } from "../../src/card/card-error.js";
import { openCardSigner } from "../../src/card/open-card-signer.js";
import { InProcessTransport } from "../../src/card/virtual/in-process-transport.js";
import { VirtualJpkiCard } from "../../src/card/virtual/virtual-jpki-card.js";
import { Claim } from "../../src/claims.js";
import { anonLockOf } from "../../src/holder/anon-opt-in.js";
import { createHolderServer } from "../../src/holder/holder-server.js";
import { keyNullifier, testCard } from "../helpers/card-proof.js";
import { attestWith, makeRequest } from "../helpers/registry-fixture.js";
import { makeProofRequest } from "../operator/helpers/dev-world.js";
import { LogSink, post, serviceWorld, type ServiceWorld } from "./helpers/service-world.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(process.cwd(), "test-artifacts", "holder-page");

let wallets = 0;

/**
 * The injected test wallet: `window.ethereum` (EIP-1193) defined by an init script; every request is forwarded to
 * this process, which answers with a test private key (eth_requestAccounts, eth_chainId, eth_signTypedData_v4).
 * Each call injects a new wallet (its own binding; the last init script wins). `seen` collects what the page sent it.
 */
async function injectWallet(
  context: BrowserContext,
  wallet: BaseWallet,
  chainId: bigint,
  log: string[],
  seen: string[] = [],
): Promise<void> {
  const binding = `__kycTestWallet${++wallets}`;
  await context.exposeBinding(binding, async (_source, method: string, paramsJson: string) => {
    log.push(method);
    seen.push(paramsJson);
    const params = JSON.parse(paramsJson) as unknown[];
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return JSON.stringify([wallet.address]);
      case "eth_chainId":
        return JSON.stringify(`0x${chainId.toString(16)}`);
      case "eth_signTypedData_v4": {
        if (String(params[0]).toLowerCase() !== wallet.address.toLowerCase()) throw new Error("unknown account");
        const typed = JSON.parse(String(params[1])) as {
          domain: Record<string, unknown>;
          types: Record<string, TypedDataField[]>;
          message: Record<string, unknown>;
        };
        const { EIP712Domain: _domain, ...types } = typed.types;
        return JSON.stringify(await wallet.signTypedData(typed.domain, types, typed.message));
      }
      default:
        throw new Error(`unsupported method ${method}`);
    }
  });
  await context.addInitScript({
    content: `window.ethereum = {
      isTestWallet: true,
      request: async ({ method, params }) => JSON.parse(await window.${binding}(method, JSON.stringify(params ?? []))),
    };`,
  });
}

describe("holder page in a real browser (Chromium): wallet, virtual card, operator service", function () {
  this.timeout(300_000);
  let sw: ServiceWorld;
  let operatorUrl: string;
  let operatorLogs: LogSink;
  let context: BrowserContext;
  let userData: string;
  let cardDir: string;
  const closers: Array<() => Promise<unknown>> = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `this test drives Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium fonts-ipafont-gothic`,
      );
    }
    sw = await serviceWorld();
    const started = await sw.start();
    operatorUrl = started.url;
    operatorLogs = started.logs;
    userData = mkdtempSync(join(tmpdir(), "kyc-chromium-"));
    context = await chromium.launchPersistentContext(userData, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 900, height: 1400 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    // A copy of the adult holder's virtual card: its PIN counter changes in this test.
    cardDir = join(sw.tmp, "card-adult");
    cpSync(join(sw.w.dir, "holders", sw.w.holder("adult").id), cardDir, { recursive: true });
  });
  after(async function () {
    await context?.close();
    for (const close of closers) await close();
    await sw?.close();
    if (userData !== undefined) rmSync(userData, { recursive: true, force: true });
  });

  async function holderPage(
    openCard?: () => Promise<ApduCardSigner>,
    more: { card?: string; operatorUrl?: string; logStream?: LogSink } = {},
  ): Promise<string> {
    const app = await createHolderServer({
      provider: sw.ethers.provider,
      card: `virtual:${more.card ?? cardDir}`,
      operatorUrl: more.operatorUrl ?? operatorUrl,
      relayer: sw.f.stranger,
      projectRoot: sw.tmp,
      ...(openCard !== undefined ? { openCard } : {}),
      ...(more.logStream !== undefined ? { logStream: more.logStream } : {}),
    });
    closers.push(() => app.close());
    const address = await app.listen({ host: "127.0.0.1", port: 0 });
    return address.replace("127.0.0.1", "localhost");
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  /** A copy of a world holder's virtual card (its PIN counter may change in this test). */
  function cardCopy(scenario: string): string {
    const dir = join(sw.tmp, `card-${scenario}`);
    cpSync(join(sw.w.dir, "holders", sw.w.holder(scenario).id), dir, { recursive: true });
    return dir;
  }

  /** What the card's anonymous-proof derivation gives, computed here from the same virtual card. */
  async function cardSecret(dir: string): Promise<{ signature: Uint8Array; secret: bigint; commitment: string }> {
    const card = await openCardSigner(`virtual:${dir}`);
    try {
      const signature = await card.sign("auth", anonSecretDigest(), "1234");
      const secret = anonSecretFromSignature(signature);
      return { signature, secret, commitment: toBeHex((await loadAnonHasher()).commitment(secret), 32) };
    } finally {
      await card.close();
    }
  }

  /** Connects the page's wallet and waits for its address. */
  async function connect(page: Page): Promise<void> {
    await page.click("#connect");
    await page.waitForFunction('document.getElementById("account").textContent !== ""');
  }

  /**
   * The attacker's tap in front of the operator service: records every request the holder process sends it (line,
   * headers, body) and forwards it.
   */
  async function operatorTap(requests: string[]): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        requests.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n${body}`);
        fetch(`${operatorUrl}${req.url}`, {
          method: req.method!,
          ...(body !== "" ? { headers: { "content-type": "application/json" }, body } : {}),
        }).then(
          async (r) => {
            const text = await r.text();
            res.writeHead(r.status, { "content-type": "application/json" }).end(text);
          },
          () => res.writeHead(502).end(),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Everything the page sends and receives over the network: URLs, request bodies and response bodies. */
  function recordTraffic(page: Page): () => Promise<string[]> {
    const seen: string[] = [];
    const bodies: Array<Promise<void>> = [];
    page.on("request", (r) => seen.push(`${r.method()} ${r.url()}\n${r.postData() ?? ""}`));
    page.on("response", (r) =>
      bodies.push(
        r.text().then(
          (text) => void seen.push(text),
          () => undefined,
        ),
      ),
    );
    return async () => {
      await Promise.all(bodies);
      return seen;
    };
  }

  it("binds: the wallet signs, a wrong PIN shows the tries left, the right PIN attests, the status shows it; then revoke-by-card", async function () {
    const url = await holderPage();
    const wallet = Wallet.createRandom();
    const calls: string[] = [];
    await injectWallet(context, wallet, sw.client.chainId, calls);
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector("#card-status[data-ready=true]");
    expect(await page.textContent("#operator")).to.include(sw.f.attester.address);
    expect(await page.textContent("#tries-left")).to.match(/3 tries left/);
    expect(await page.textContent("#never")).to.match(/never go on chain/);
    await shot(page, "01-page-loaded");

    await page.click("#connect");
    await page.waitForFunction('document.getElementById("account").textContent !== ""');
    expect((await page.textContent("#account"))!.toLowerCase()).to.equal(wallet.address.toLowerCase());
    await page.check("#disclose-identity");
    await page.check("#disclose-age18");
    await page.check("#disclose-age20");
    expect(await page.isVisible("#sign-password-row")).to.equal(true);
    expect(await page.isVisible("#operator-sees")).to.equal(true);
    await page.fill("#sign-password", "ABC123");
    await shot(page, "02-wallet-connected-claims-chosen");

    // A wrong PIN: the card says how many tries are left; nothing reaches the operator.
    await page.fill("#pin", "9999");
    await page.click("#submit");
    await page.waitForSelector("#error[data-code=CARD_WRONG_PIN]");
    expect(await page.textContent("#error"))
      .to.match(/あと 2 回/)
      .and.match(/2 tries left/);
    expect(await page.getAttribute("#tries-left", "data-left")).to.equal("2");
    expect(await sw.f.registry.isVerified(wallet.address)).to.equal(false);
    expect(calls.filter((c) => c === "eth_signTypedData_v4")).to.have.length(1);
    await shot(page, "03-wrong-pin-tries-left");

    // A wrong signing password is told apart from the PIN.
    await page.fill("#pin", "1234");
    await page.fill("#sign-password", "WRONG1");
    await page.click("#submit");
    await page.waitForSelector("#error[data-code=CARD_WRONG_PIN]");
    expect(await page.textContent("#error"))
      .to.match(/署名用電子証明書のパスワードが違います/)
      .and.match(/Wrong signing password\. 4 tries left/);
    expect(await sw.f.registry.isVerified(wallet.address)).to.equal(false);

    // The right PIN: the wallet is not asked again; the attestation lands and the status shows it.
    await page.fill("#sign-password", "ABC123");
    await page.fill("#pin", "1234");
    await page.click("#submit");
    await page.waitForSelector("#status[data-status=Active]", { timeout: 60_000 });
    expect(calls.filter((c) => c === "eth_signTypedData_v4")).to.have.length(1);
    const tx = await page.getAttribute("#result", "data-tx");
    expect(tx).to.match(/^0x[0-9a-f]{64}$/);
    expect(await page.textContent("#result")).to.match(/Gas used: \d+/);
    const all = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;
    expect(await sw.f.registry.hasClaims(wallet.address, all)).to.equal(true);
    expect((await sw.ethers.provider.getTransactionReceipt(tx!))!.status).to.equal(1);
    expect(await page.inputValue("#pin")).to.equal("");
    await shot(page, "04-attested-status");
    // The README's screenshot is refreshed on request only (KYC_DOCS_SCREENSHOT=1), so test runs leave the tree clean.
    if (process.env.KYC_DOCS_SCREENSHOT === "1") {
      await page.screenshot({ path: join(process.cwd(), "docs", "holder-page.png"), fullPage: true });
    }

    // Lost wallet: the card revokes the attestation (a wrong PIN first shows the tries left again).
    await page.fill("#revoke-subject", wallet.address);
    await page.fill("#revoke-pin", "0000");
    await page.click("#revoke");
    await page.waitForSelector("#error[data-code=CARD_WRONG_PIN]");
    expect(await page.textContent("#error")).to.match(/2 tries left/);
    await page.fill("#revoke-pin", "1234");
    await page.click("#revoke");
    await page.waitForSelector("#revoke-result:not([hidden])", { timeout: 60_000 });
    expect(await page.textContent("#revoke-result")).to.match(/Revoked/);
    expect(await sw.f.registry.isVerified(wallet.address)).to.equal(false);
    await shot(page, "05-revoked-by-card");
    await page.close();
  });

  it("shows card errors as a person needs them: no reader, card removed, locked PIN", async function () {
    const noReader = await holderPage(async () => {
      throw new CardError("CARD_NO_READER", "no PC/SC reader found");
    });
    const page = await context.newPage();
    await page.goto(noReader);
    await page.waitForSelector("#card-status[data-ready=false]");
    expect(await page.textContent("#card-status"))
      .to.match(/カードリーダーが見つかりません/)
      .and.match(/No card reader/);
    expect(await page.isDisabled("#submit")).to.equal(true);
    await shot(page, "06-no-reader");

    // The card is pulled out while it signs.
    let opened = 0;
    const removing = await holderPage(async () => {
      const card = VirtualJpkiCard.fromFolder(cardDir);
      if (++opened > 1) card.removeAfter(2);
      return new ApduCardSigner(new InProcessTransport(card, "virtual card (test)"));
    });
    await page.goto(removing);
    await page.waitForSelector("#card-status[data-ready=true]");
    await page.click("#connect");
    await page.waitForFunction('document.getElementById("account").textContent !== ""');
    await page.fill("#pin", "1234");
    await page.click("#submit");
    await page.waitForSelector("#error[data-code=CARD_REMOVED]");
    expect(await page.textContent("#error"))
      .to.match(/カードが外れました/)
      .and.match(/card was removed/);
    await shot(page, "07-card-removed");

    // Three wrong PINs lock the card; the page says where to unlock it.
    const url = await holderPage();
    await page.goto(url);
    await page.waitForSelector("#card-status[data-ready=true]");
    await page.click("#connect");
    await page.waitForFunction('document.getElementById("account").textContent !== ""');
    for (const left of ["2", "1"]) {
      await page.fill("#pin", "9999");
      await page.click("#submit");
      await page.waitForSelector(`#tries-left[data-left="${left}"]`);
    }
    await page.fill("#pin", "9999");
    await page.click("#submit");
    await page.waitForSelector("#error[data-code=CARD_PIN_LOCKED]");
    expect(await page.textContent("#error"))
      .to.match(/市区町村/)
      .and.match(/city or town office/);
    await shot(page, "08-pin-locked");
    await page.close();
  });

  it("anonymous proofs: the holder opts in, the card derives the secret, the attestation emits AnonLeaf with its commitment", async function () {
    const dir = cardCopy("leap-day");
    const url = await holderPage(undefined, { card: dir });
    const wallet = Wallet.createRandom();
    const calls: string[] = [];
    const walletSaw: string[] = [];
    await injectWallet(context, wallet, sw.client.chainId, calls, walletSaw);
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector("#card-status[data-ready=true]");
    // The opt-in says what it gives, what it costs and where the secret stays, in Japanese and English.
    const explained = (await page.textContent("#step-anon"))!;
    expect(explained)
      .to.match(/どのアドレスからでも/)
      .and.match(/from any address, without revealing your wallet or your card/)
      .and.match(/同じ暗証番号で、カードがもう1回署名する/)
      .and.match(/one more card signature with the same PIN\. Nothing else is sent/)
      .and.match(/外には送られません/)
      .and.match(/never leaves it/)
      .and.match(/the same card makes the same secret again/);
    expect(await page.isChecked("#anon")).to.equal(false);
    expect(await page.isVisible("#anon-pin-note")).to.equal(false);

    await connect(page);
    await page.check("#disclose-identity");
    await page.check("#disclose-age20");
    await page.fill("#sign-password", "ABC123");
    await page.check("#anon");
    expect(await page.isVisible("#anon-pin-note")).to.equal(true);
    await shot(page, "09-anon-opt-in");

    // A wrong PIN: the card refuses the secret's signature before the wallet is asked; nothing reaches the operator.
    await page.fill("#pin", "9999");
    await page.click("#submit");
    await page.waitForSelector("#error[data-code=CARD_WRONG_PIN]");
    expect(await page.textContent("#error")).to.match(/2 tries left/);
    expect(calls).to.not.include("eth_signTypedData_v4");
    expect(await sw.f.registry.isVerified(wallet.address)).to.equal(false);

    await page.fill("#pin", "1234");
    await page.click("#submit");
    await page.waitForSelector("#anon-result[data-anon=enabled]", { timeout: 60_000 });
    await page.waitForSelector("#status[data-status=Active]");
    const { commitment } = await cardSecret(dir);

    // The wallet was shown, and signed, the commitment of the secret this card derives.
    const signed = walletSaw[calls.indexOf("eth_signTypedData_v4")]!;
    const typed = JSON.parse(String((JSON.parse(signed) as unknown[])[1])) as { message: { anonCommitment: string } };
    expect(typed.message.anonCommitment).to.equal(commitment);

    // The attestation's transaction emits AnonLeaf(attester, keyNullifier, commitment, claims, expiresAt).
    const tx = await page.getAttribute("#result", "data-tx");
    const receipt = (await sw.ethers.provider.getTransactionReceipt(tx!))!;
    const events = receipt.logs.map((l) => sw.f.registry.interface.parseLog(l)).filter((e) => e !== null);
    const attested = events.find((e) => e.name === "Attested")!;
    const leaf = events.find((e) => e.name === "AnonLeaf");
    expect(leaf, "AnonLeaf").to.not.equal(undefined);
    expect(leaf!.args.commitment).to.equal(BigInt(commitment));
    expect(leaf!.args.attester).to.equal(sw.f.attester.address);
    expect(leaf!.args.keyNullifier).to.equal(attested.args.keyNullifier);
    expect(attested.args.subject).to.equal(wallet.address);
    expect(Number(leaf!.args.claims) & Claim.AGE_20).to.equal(Claim.AGE_20);
    expect(await sw.f.registry.hasClaims(wallet.address, Claim.AUTH | Claim.IDENTITY | Claim.AGE_20)).to.equal(true);
    expect(await page.textContent("#anon-result"))
      .to.match(/匿名証明が有効になりました/)
      .and.match(/Anonymous proofs are enabled for this attestation/)
      .and.include(commitment);
    expect(await page.inputValue("#pin")).to.equal("");
    await shot(page, "10-anon-enabled");
    await page.close();
  });

  it("attacker: the anonymous-proof secret and the card signature it comes from never reach the operator, the page's traffic, the wallet or the logs", async function () {
    const dir = cardCopy("age-17");
    const toOperator: string[] = [];
    const holderLogs = new LogSink();
    const url = await holderPage(undefined, {
      card: dir,
      operatorUrl: await operatorTap(toOperator),
      logStream: holderLogs,
    });
    const wallet = Wallet.createRandom();
    const calls: string[] = [];
    const walletSaw: string[] = [];
    await injectWallet(context, wallet, sw.client.chainId, calls, walletSaw);
    const page = await context.newPage();
    const traffic = recordTraffic(page);
    await page.goto(url);
    await page.waitForSelector("#card-status[data-ready=true]");
    await connect(page);
    await page.check("#disclose-identity");
    await page.fill("#sign-password", "ABC123");
    await page.check("#anon");
    await page.fill("#pin", "1234");
    await page.click("#submit");
    await page.waitForSelector("#anon-result[data-anon=enabled]", { timeout: 60_000 });
    await page.waitForSelector("#status[data-status=Active]");
    await page.close();

    const { signature, secret, commitment } = await cardSecret(dir);
    const hex = hexlify(signature).slice(2);
    const forms = [
      hex,
      hex.slice(0, 32),
      hex.slice(-32),
      Buffer.from(signature).toString("base64"),
      Buffer.from(signature).toString("base64url"),
      secret.toString(),
      secret.toString(16),
      toBeHex(secret, 32).slice(2),
    ];
    const leaks = (where: string[]): string[] => {
      const text = where.join("\n");
      return forms.filter((f) => text.includes(f) || text.toLowerCase().includes(f.toLowerCase()));
    };
    const pageTraffic = await traffic();
    // The taps saw the flow (so an empty capture cannot pass): the proof request with the commitment went to the
    // operator, and the page sent the binding request with the opt-in and the PIN to its local process.
    const proofRequests = toOperator.filter((r) => r.startsWith("POST /v1/attestations"));
    expect(proofRequests).to.have.length(1);
    expect(proofRequests[0]).to.include(commitment.slice(2)).and.include('"authSignature"');
    expect(pageTraffic.some((t) => t.includes("/api/binding") && t.includes('"anon":true'))).to.equal(true);
    expect(pageTraffic.some((t) => t.includes(commitment))).to.equal(true);
    expect(holderLogs.lines.length).to.be.greaterThan(0);

    expect(leaks(toOperator), "operator-bound requests").to.deep.equal([]);
    expect(leaks(pageTraffic), "page traffic").to.deep.equal([]);
    expect(leaks(walletSaw), "wallet requests").to.deep.equal([]);
    expect(leaks(holderLogs.lines), "holder process log").to.deep.equal([]);
    expect(leaks(operatorLogs.lines), "operator service log").to.deep.equal([]);
  });

  it("shows the operator's anonymous-proof lock in plain words (card key and person), and binding without the opt-in still works", async function () {
    const hasher = await loadAnonHasher();
    // Card lock: this card already opted in (through another tool) with a commitment other than the card's derivation.
    const lockedDir = cardCopy("sign-affiliation-changed");
    const wallet = Wallet.createRandom();
    const now = BigInt((await sw.ethers.provider.getBlock("latest"))!.timestamp);
    const earlier = await makeProofRequest(sw.w, sw.ethers.provider, {
      holder: sw.w.holder("sign-affiliation-changed"),
      registry: sw.f.address,
      wallet,
      attester: sw.f.attester.address,
      disclose: Claim.AUTH,
      deadline: now + 3600n,
      withSign: false,
      out: join(sw.tmp, "anon-lock-earlier.json"),
      anonCommitment: toBeHex(hasher.commitment(777n), 32),
    });
    expect((await post(`${operatorUrl}/v1/attestations`, proofRequestToJson(earlier))).status).to.equal(201);

    const calls: string[] = [];
    await injectWallet(context, wallet, sw.client.chainId, calls);
    const page = await context.newPage();
    await page.goto(await holderPage(undefined, { card: lockedDir }));
    await page.waitForSelector("#card-status[data-ready=true]");
    await connect(page);
    await page.check("#anon");
    await page.fill("#pin", "1234");
    await page.click("#submit");
    await page.waitForSelector("#error[data-anon-lock=card]", { timeout: 60_000 });
    expect(await page.getAttribute("#error", "data-code")).to.equal("OPERATOR_CHECK_FAILED");
    expect(await page.textContent("#error"))
      .to.match(/このカードは以前、別の秘密の値で匿名証明を有効にしています/)
      .and.match(/This card already enabled anonymous proofs with a different secret/)
      .and.match(/Uncheck "Enable anonymous proofs"/);
    expect(await page.isHidden("#anon-result")).to.equal(true);
    await shot(page, "11-anon-card-locked");

    // As the message says: without the opt-in the same card binds (a new binding: the wallet signs again).
    await page.uncheck("#anon");
    await page.fill("#pin", "1234");
    await page.click("#submit");
    await page.waitForSelector("#status[data-status=Active]", { timeout: 60_000 });
    expect(calls.filter((c) => c === "eth_signTypedData_v4")).to.have.length(2);
    expect(await page.isHidden("#anon-result")).to.equal(true);
    const tx = await page.getAttribute("#result", "data-tx");
    const receipt = (await sw.ethers.provider.getTransactionReceipt(tx!))!;
    const names = receipt.logs.map((l) => sw.f.registry.interface.parseLog(l)?.name);
    expect(names).to.include("Attested").and.not.include("AnonLeaf");

    // Person lock: the same person (same person tag) opted in earlier through another card key with another commitment.
    const person = Wallet.createRandom();
    const first = await sw.proof("age-19", person, Claim.AUTH | Claim.IDENTITY, true);
    expect((await post(`${operatorUrl}/v1/attestations`, first)).status).to.equal(201);
    const [row] = await sw.store.bySubject(sw.client.chainId, sw.f.address, person.address);
    expect(row?.personTag).to.match(/^0x[0-9a-f]{64}$/);
    const otherCard = testCard(7);
    await attestWith(
      sw.f.registry,
      sw.f.attester,
      otherCard,
      await makeRequest(sw.ethers, sw.f.carol.address, { anonCommitment: toBeHex(hasher.commitment(2n), 32) }),
    );
    await sw.store.insertPending({
      chainId: sw.client.chainId,
      registry: sw.f.address,
      subject: sw.f.carol.address,
      keyNullifier: keyNullifier(otherCard.modulus),
      personTag: row!.personTag,
      claims: Claim.AUTH | Claim.IDENTITY,
      caId: 1,
      expiryCap: 0,
      mode: "direct",
      certificates: [],
    });
    await injectWallet(context, person, sw.client.chainId, []);
    const page2 = await context.newPage();
    await page2.goto(await holderPage(undefined, { card: cardCopy("age-19") }));
    await page2.waitForSelector("#card-status[data-ready=true]");
    await connect(page2);
    await page2.check("#disclose-identity");
    await page2.fill("#sign-password", "ABC123");
    await page2.check("#anon");
    await page2.fill("#pin", "1234");
    await page2.click("#submit");
    await page2.waitForSelector("#error[data-anon-lock=person]", { timeout: 60_000 });
    expect(await page2.textContent("#error"))
      .to.match(/別のカード（更新前のカードなど）で匿名証明を有効にしています/)
      .and.match(/You already enabled anonymous proofs with another card/);
    await shot(page2, "12-anon-person-locked");
    await page2.close();
    await page.close();

    // Any other refusal is not taken for the lock.
    expect(
      anonLockOf({ error: { code: "OPERATOR_CHECK_FAILED", message: "the CRL lists this certificate" } }),
    ).to.equal(undefined);
    expect(
      anonLockOf({
        error: { code: "SERVICE_BUSY", message: "card key opted in to anonymous proofs with another commitment" },
      }),
    ).to.equal(undefined);
  });

  it("the local process serves localhost only and parses JSON only (no cross-site form posts)", async function () {
    const url = await holderPage();
    const port = new URL(url).port;
    // A page of another site that resolves its own name to 127.0.0.1 (DNS rebinding) sends its own Host header.
    const rebinding = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: Number(port), path: "/api/setup", headers: { host: `evil.example:${port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(rebinding).to.equal(403);
    const form = await fetch(`${url}/api/attest`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ digest: `0x${"00".repeat(32)}`, subjectSignature: "0x00", pin: "1234" }),
    });
    expect(form.status).to.equal(415);
    expect(((await form.json()) as { error: { code: string } }).error.code).to.equal("SERVICE_UNSUPPORTED_MEDIA_TYPE");
  });
});
