// newsqa launcher: <script src="https://NEWSQA/embed.js" async></script> adds a floating button
// that opens the chat widget in an iframe. Everything it draws lives in a shadow root on
// one fixed-position element, so the host page's layout and styles stay as they were.
// Options, as data- attributes of the script tag: data-position="right|left",
// data-color="#2563eb", data-width="380" (px), data-height="560" (the most px it grows to),
// data-label="Ask the news".
(() => {
  const script = document.currentScript;
  if (!script || !script.src) return;
  const origin = new URL(script.src, location.href).origin;
  const options = script.dataset;
  const clamp = (value, low, high, fallback) => {
    const number = parseInt(value, 10);
    return Number.isFinite(number) ? Math.min(high, Math.max(low, number)) : fallback;
  };
  const side = options.position === "left" ? "left" : "right";
  const color = /^#[0-9a-fA-F]{3,8}$/.test(options.color || "") ? options.color : "#2563eb";
  const width = clamp(options.width, 280, 720, 380);
  const tallest = clamp(options.height, 320, 1000, 560);
  const label = (options.label || "Ask the news").slice(0, 40);

  const host = document.createElement("newsqa-launcher");
  host.style.cssText = `all: initial; position: fixed; z-index: 2147483000; bottom: 20px; ${side}: 20px;`;
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `
    <style>
      :host { all: initial; }
      button { font: 600 15px/1 system-ui, sans-serif; color: #fff; background: ${color};
        border: 0; border-radius: 999px; padding: 12px 18px; cursor: pointer;
        box-shadow: 0 2px 10px rgba(0,0,0,.25); }
      .panel { position: absolute; bottom: 56px; ${side}: 0; width: ${width}px;
        max-width: calc(100vw - 40px); background: #fff; border-radius: 12px; overflow: hidden;
        box-shadow: 0 6px 30px rgba(0,0,0,.3); }
      .panel[hidden] { display: none; }
      iframe { display: block; width: 100%; height: ${Math.min(420, tallest)}px; border: 0; }
    </style>
    <div class="panel" hidden><iframe title="newsqa: ask the news"></iframe></div>
    <button type="button" aria-expanded="false"></button>`;
  const button = root.querySelector("button");
  const panel = root.querySelector(".panel");
  const frame = root.querySelector("iframe");
  button.textContent = label;
  button.addEventListener("click", () => {
    const opening = panel.hidden;
    if (opening && !frame.src) frame.src = `${origin}/widget/`;
    panel.hidden = !opening;
    button.setAttribute("aria-expanded", String(opening));
  });
  window.addEventListener("message", (event) => {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    const data = event.data;
    if (data && data.newsqa === "height" && Number.isFinite(data.value)) {
      frame.style.height = `${Math.min(tallest, Math.max(240, data.value))}px`;
    }
  });
  (document.body || document.documentElement).appendChild(host);
})();
