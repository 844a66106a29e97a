// The widget (/widget/), usually inside another site's iframe:
// - each new answer is scrolled to its start inside the chat (never the host page);
// - the widget tells the page that frames it how tall it is (embed.js sizes its iframe).
(() => {
  let answers = 0;

  function scrollable(element) {
    for (let node = element.parentElement; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight) return node;
    }
    return null;
  }

  function onChange() {
    const bubbles = document.querySelectorAll("[data-testid='bot']");
    if (bubbles.length !== answers) {
      answers = bubbles.length;
      const last = bubbles[bubbles.length - 1];
      const box = last && scrollable(last);
      if (box) {
        box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 40;
      }
    }
    if (window.parent !== window) {
      const height = Math.ceil(document.documentElement.scrollHeight);
      window.parent.postMessage({ newsqa: "height", value: height }, "*");
    }
  }

  new MutationObserver(() => requestAnimationFrame(onChange))
    .observe(document.documentElement, { childList: true, subtree: true, characterData: true });
})();
