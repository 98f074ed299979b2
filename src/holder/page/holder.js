// The holder page's script: plain browser JavaScript, no build step. The card and the PIN stay in the local process;
// this script only talks to that process (same origin) and to the browser wallet (EIP-1193).
"use strict";

const state = { account: undefined, setup: undefined, binding: undefined, signature: undefined };
const $ = (id) => document.getElementById(id);

/** What a person needs to read for each error code, in Japanese and English. */
function explain(error) {
  const left = error.triesLeft;
  switch (error.code) {
    case "CARD_WRONG_PIN": {
      const [ja, en] =
        error.pin === "sign" ? ["署名用電子証明書のパスワード", "signing password"] : ["暗証番号", "PIN"];
      return left === undefined
        ? [`${ja}が違います。`, `Wrong ${en}.`]
        : [
            `${ja}が違います。あと ${left} 回まちがえるとロックされます。`,
            `Wrong ${en}. ${left} ${left === 1 ? "try" : "tries"} left before it locks.`,
          ];
    }
    case "CARD_PIN_LOCKED": {
      const [ja, en] =
        error.pin === "sign" ? ["署名用電子証明書のパスワード", "signing password"] : ["暗証番号", "PIN"];
      return [
        `${ja}がロックされています。お住まいの市区町村の窓口で解除してください。`,
        `The ${en} is locked. Your city or town office can unlock it.`,
      ];
    }
    case "CARD_NO_READER":
      return [
        "カードリーダーが見つかりません。接続を確認してください。",
        "No card reader found. Check that it is plugged in.",
      ];
    case "CARD_NO_CARD":
      return ["カードが入っていません。カードをリーダーに置いてください。", "No card in the reader. Insert your card."];
    case "CARD_REMOVED":
      return [
        "途中でカードが外れました。カードを置き直して、もう一度お試しください。",
        "The card was removed. Put it back and try again.",
      ];
    case "CARD_BAD_ARGUMENT":
      return ["入力を確認してください（カードには何も送られていません）。", `Check your input: ${error.message}`];
    case "BINDING_WALLET_REFUSED":
    case "WALLET_REJECTED":
      return [
        "ウォレットで署名が拒否されました。カードの暗証番号は使われていません。",
        "The wallet did not sign. No PIN try was used.",
      ];
    case "NO_WALLET":
      return ["ブラウザのウォレットが見つかりません。", "No browser wallet found."];
    case "SERVICE_BUSY":
      return [
        "同じカードまたはアドレスの手続きが進行中です。少し待ってから状態を確認してください。",
        "A request for this card or address is already in progress. Wait, then check the status.",
      ];
    case "SERVICE_RATE_LIMITED":
      return ["しばらく待ってからもう一度お試しください。", "Too many attempts: wait a minute and try again."];
    case "OPERATOR_CHECK_FAILED":
      if (error.anonLock === "card") {
        return [
          "このカードは以前、別の秘密の値で匿名証明を有効にしています。1人が同じアプリで2回数えられないよう、事業者は最初の値しか受け付けません。「匿名証明を有効にする」のチェックを外せば、匿名証明なしで確認を受けられます。",
          'This card already enabled anonymous proofs with a different secret. So that nobody counts twice in an app, the operator accepts only that first one. Uncheck "Enable anonymous proofs" to get verified without them.',
        ];
      }
      if (error.anonLock === "person") {
        return [
          "あなたは以前、別のカード（更新前のカードなど）で匿名証明を有効にしています。1人が同じアプリで2回数えられないよう、事業者は最初の秘密の値しか受け付けません。「匿名証明を有効にする」のチェックを外せば、匿名証明なしで確認を受けられます。",
          'You already enabled anonymous proofs with another card (for example before your card was renewed). So that one person counts once in an app, the operator accepts only that first secret. Uncheck "Enable anonymous proofs" to get verified without them.',
        ];
      }
      return [
        "事業者の確認で問題が見つかりました。",
        `The operator's checks failed: ${(error.failures || []).join("; ")}`,
      ];
    default:
      return ["手続きできませんでした。", `${error.code}: ${error.message}`];
  }
}

function showError(error) {
  const [ja, en] = explain(error);
  const box = $("error");
  box.replaceChildren();
  const p1 = document.createElement("p");
  p1.textContent = ja;
  const p2 = document.createElement("p");
  p2.textContent = en;
  const code = document.createElement("small");
  code.textContent = `(${error.code})`;
  box.append(p1, p2, code);
  box.dataset.code = error.code;
  box.dataset.anonLock = error.anonLock || "";
  box.hidden = false;
  if (typeof error.triesLeft === "number" && error.pin !== "sign") showTries(error.triesLeft);
}

function clearMessages() {
  $("error").hidden = true;
  $("error").dataset.code = "";
  $("result").hidden = true;
  $("anon-result").hidden = true;
  $("status").hidden = true;
}

function say(ja, en) {
  $("step-message").textContent = ja === "" ? "" : `${ja} / ${en}`;
}

function showTries(left) {
  $("tries-left").textContent =
    left === null || left === undefined ? "" : `残り ${left} 回 / ${left} ${left === 1 ? "try" : "tries"} left`;
  $("tries-left").dataset.left = left === null || left === undefined ? "" : String(left);
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({ error: { code: "SERVICE_UNAVAILABLE", message: "no answer" } }));
  if (!res.ok) throw data.error || { code: "SERVICE_UNAVAILABLE", message: `HTTP ${res.status}` };
  return data;
}

function disclose() {
  let mask = 1;
  for (const input of document.querySelectorAll("#claims input[type=checkbox]")) {
    if (input.checked) mask |= Number(input.value);
  }
  return mask;
}

function renderClaims(setup) {
  const list = $("claims");
  list.replaceChildren();
  for (const c of setup.claims) {
    const li = document.createElement("li");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = `disclose-${c.key}`;
    box.value = String(c.bit);
    box.checked = c.key === "auth";
    box.disabled = c.key === "auth";
    box.addEventListener("change", onDiscloseChange);
    const label = document.createElement("label");
    label.htmlFor = box.id;
    label.style.display = "inline";
    label.append(` ${c.ja}`, document.createElement("br"));
    const en = document.createElement("small");
    en.textContent = c.en;
    label.append(en);
    li.append(box, label);
    list.append(li);
  }
  $("never").textContent = `${setup.privacy.neverPublished.ja} ${setup.privacy.neverPublished.en}`;
  $("linkable").textContent = `${setup.privacy.linkable.ja} ${setup.privacy.linkable.en}`;
  $("operator-sees").textContent = `${setup.privacy.operatorSees.ja} ${setup.privacy.operatorSees.en}`;
  $("pin-note").textContent = `${setup.privacy.pin.ja} ${setup.privacy.pin.en}`;
}

function onDiscloseChange() {
  const needsSign = (disclose() & 14) !== 0;
  $("sign-password-row").hidden = !needsSign;
  $("operator-sees").hidden = !needsSign;
  state.binding = undefined;
  state.signature = undefined;
}

function onAnonChange() {
  $("anon-pin-note").hidden = !$("anon").checked;
  state.binding = undefined;
  state.signature = undefined;
}

function renderCard(card) {
  if (card.ready) {
    $("card-status").textContent = `カードを読み取りました / Card found: ${card.description}`;
    $("card-status").dataset.ready = "true";
    showTries(card.triesLeft);
  } else {
    const [ja, en] = explain(card.error);
    $("card-status").textContent = `${ja} ${en}`;
    $("card-status").dataset.ready = "false";
  }
  updateSubmit();
}

function updateSubmit() {
  $("submit").disabled = !(state.account && state.setup && state.setup.card.ready);
}

async function loadSetup() {
  try {
    state.setup = await api("GET", "/api/setup");
    const o = state.setup.operator;
    $("operator").textContent = `事業者 / Operator ${o.attester} · chain ${o.chainId} · registry ${o.registry}`;
    renderClaims(state.setup);
    renderCard(state.setup.card);
    $("lost-wallet").hidden = !state.setup.revokeByCard;
  } catch (error) {
    showError(error);
  }
}

async function connect() {
  clearMessages();
  if (!window.ethereum) return showError({ code: "NO_WALLET", message: "window.ethereum is missing" });
  try {
    const accounts = await window.ethereum.request({ method: "eth_requestAccounts" });
    state.account = accounts[0];
    $("account").textContent = state.account;
    state.binding = undefined;
    state.signature = undefined;
  } catch (error) {
    showError({ code: "WALLET_REJECTED", message: String(error && error.message) });
  }
  updateSubmit();
}

async function submit() {
  clearMessages();
  $("submit").disabled = true;
  try {
    if (state.binding === undefined || state.signature === undefined) {
      const anon = $("anon").checked;
      if (anon) {
        say("カードで匿名証明用の秘密の値を作っています…", "The card makes your anonymous-proof secret…");
      } else {
        say("事業者とレジストリから内容を取得しています…", "Preparing the binding…");
      }
      // With anonymous proofs the PIN goes to the local process here too: the card signs the secret's message first
      // (the commitment is part of what the wallet signs). The secret itself never comes back to this page.
      const binding = await api("POST", "/api/binding", {
        subject: state.account,
        disclose: disclose(),
        ...(anon ? { anon: true, pin: $("pin").value } : {}),
      });
      say("ウォレットで内容を確認して署名してください…", "Check and sign the binding in your wallet…");
      let signature;
      try {
        signature = await window.ethereum.request({
          method: "eth_signTypedData_v4",
          params: [state.account, JSON.stringify(binding.typedData)],
        });
      } catch (error) {
        throw { code: "WALLET_REJECTED", message: String(error && error.message) };
      }
      state.binding = binding;
      state.signature = signature;
    }
    say("カードで署名し、事業者に送っています…", "The card signs; sending to the operator…");
    const result = await api("POST", "/api/attest", {
      digest: state.binding.digest,
      subjectSignature: state.signature,
      pin: $("pin").value,
      ...(state.binding.needsSigningPassword ? { signPassword: $("sign-password").value } : {}),
    });
    $("pin").value = "";
    $("sign-password").value = "";
    state.binding = undefined;
    state.signature = undefined;
    showResult(result);
    say("完了しました。", "Done.");
    await showStatus();
    await refreshTries();
  } catch (error) {
    $("pin").value = "";
    say("", "");
    showError(error);
  } finally {
    updateSubmit();
  }
}

function showResult(r) {
  const box = $("result");
  box.replaceChildren();
  const lines = [
    `確認が記録されました / Verification recorded: ${r.claimNames.join(", ")}`,
    r.tx ? `トランザクション / Transaction: ${r.tx.hash}` : "",
    r.tx ? `ガス / Gas used: ${r.tx.gasUsed}` : "",
    `有効期限（最長） / Valid until at most: ${r.expiresAtMost}`,
  ];
  for (const line of lines.filter((l) => l !== "")) {
    const p = document.createElement("p");
    p.textContent = line;
    box.append(p);
  }
  box.dataset.tx = r.tx ? r.tx.hash : "";
  box.hidden = false;
  showAnonResult(r.anon);
}

function showAnonResult(anon) {
  const box = $("anon-result");
  box.replaceChildren();
  if (!anon) {
    box.dataset.anon = "";
    return;
  }
  const lines = anon.leaf
    ? [
        "この確認で匿名証明が有効になりました。秘密の値はこのパソコンの外に出ていません。証明を作るときは、同じカードから作り直せます。",
        "Anonymous proofs are enabled for this attestation. The secret never left this computer; the same card makes it again when you create a proof.",
        `コミットメント / Commitment: ${anon.commitment}`,
      ]
    : [
        "確認は記録されましたが、匿名証明の登録をブロックチェーン上で確かめられませんでした。",
        "The attestation was recorded, but the anonymous-proof leaf could not be found on chain.",
      ];
  for (const line of lines) {
    const p = document.createElement("p");
    p.textContent = line;
    box.append(p);
  }
  box.className = anon.leaf ? "result" : "error";
  box.dataset.anon = anon.leaf ? "enabled" : "unconfirmed";
  box.hidden = false;
}

async function showStatus() {
  const s = await api("GET", `/api/status/${state.account}`);
  const box = $("status");
  box.textContent =
    `状態 / Status: ${s.chain.status}${s.verified ? " ✓" : ""} · claims ${s.chain.claimNames.join(", ")}` +
    (s.operator ? ` · operator: ${s.operator.status}` : "");
  box.dataset.status = s.chain.status;
  box.hidden = false;
}

async function revoke() {
  $("revoke-result").hidden = true;
  clearMessages();
  try {
    const r = await api("POST", "/api/revoke-by-card", {
      subject: $("revoke-subject").value.trim(),
      pin: $("revoke-pin").value,
    });
    $("revoke-result").textContent = `取り消しました / Revoked: ${r.subject} (tx ${r.tx.hash}, gas ${r.tx.gasUsed})`;
    $("revoke-result").hidden = false;
  } catch (error) {
    showError(error);
  } finally {
    $("revoke-pin").value = "";
  }
}

async function refreshTries() {
  try {
    const setup = await api("GET", "/api/setup");
    state.setup.card = setup.card;
    renderCard(setup.card);
  } catch {
    // the status above is what matters now
  }
}

async function refreshCard() {
  clearMessages();
  await loadSetup();
}

window.addEventListener("DOMContentLoaded", () => {
  $("connect").addEventListener("click", connect);
  $("submit").addEventListener("click", submit);
  $("revoke").addEventListener("click", revoke);
  $("card-refresh").addEventListener("click", refreshCard);
  $("anon").addEventListener("change", onAnonChange);
  loadSetup();
});
