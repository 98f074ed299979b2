import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { Wallet, type BaseWallet, type TypedDataField } from "ethers";
import { chromium, type BrowserContext, type Page } from "playwright-core";

import { ApduCardSigner } from "../../src/card/apdu/apdu-card-signer.js";
import { CardError } from "../../src/card/card-error.js";
import { InProcessTransport } from "../../src/card/virtual/in-process-transport.js";
import { VirtualJpkiCard } from "../../src/card/virtual/virtual-jpki-card.js";
import { Claim } from "../../src/claims.js";
import { createHolderServer } from "../../src/holder/holder-server.js";
import { serviceWorld, type ServiceWorld } from "./helpers/service-world.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(process.cwd(), "test-artifacts", "holder-page");

/**
 * The injected test wallet: `window.ethereum` (EIP-1193) defined by an init script; every request is forwarded to
 * this process, which answers with a test private key (eth_requestAccounts, eth_chainId, eth_signTypedData_v4).
 */
async function injectWallet(
  context: BrowserContext,
  wallet: BaseWallet,
  chainId: bigint,
  log: string[],
): Promise<void> {
  await context.exposeBinding("__kycTestWallet", async (_source, method: string, paramsJson: string) => {
    log.push(method);
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
      request: async ({ method, params }) => JSON.parse(await window.__kycTestWallet(method, JSON.stringify(params ?? []))),
    };`,
  });
}

describe("holder page in a real browser (Chromium): wallet, virtual card, operator service", function () {
  this.timeout(300_000);
  let sw: ServiceWorld;
  let operatorUrl: string;
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
    operatorUrl = (await sw.start()).url;
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

  async function holderPage(openCard?: () => Promise<ApduCardSigner>): Promise<string> {
    const app = await createHolderServer({
      provider: sw.ethers.provider,
      card: `virtual:${cardDir}`,
      operatorUrl,
      relayer: sw.f.stranger,
      projectRoot: sw.tmp,
      ...(openCard !== undefined ? { openCard } : {}),
    });
    closers.push(() => app.close());
    const address = await app.listen({ host: "127.0.0.1", port: 0 });
    return address.replace("127.0.0.1", "localhost");
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
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
