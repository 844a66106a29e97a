// The chat page's behaviour that Gradio has no component for. Loaded in <head> of / only.
// - Links to an article (source cards, [n] in any answer) open it in the side viewer, beside
//   the chat, instead of leaving the page; the viewer scrolls inside itself.
// - Ask is disabled while the box is empty.
(() => {
  const panel = () => document.getElementById("nq-viewer-panel");

  function openViewer(href) {
    const viewer = panel();
    const frame = document.getElementById("nq-viewer-frame");
    if (!viewer || !frame) return false;
    viewer.classList.add("nq-open");
    frame.src = href;
    return true;
  }

  function closeViewer() {
    panel()?.classList.remove("nq-open");
  }

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("#nq-viewer-close")) {
      closeViewer();
      return;
    }
    const link = target.closest("a[href*='/article/']");
    if (!link || link.closest("#nq-viewer-panel")) return;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (openViewer(link.href)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);  // before Gradio's own handler, which would open a new tab

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeViewer();
  });

  function syncAsk() {
    const box = document.querySelector("#nq-question textarea");
    const ask = document.getElementById("nq-ask");
    if (box && ask) ask.disabled = !box.value.trim();
  }
  document.addEventListener("input", syncAsk, true);
  new MutationObserver(syncAsk).observe(document.documentElement, { childList: true, subtree: true });
})();
