(text) => {
  // Copy the last answer as plain text, with its numbered sources and links.
  if (text) navigator.clipboard.writeText(text).catch(() => {});
  const button = document.getElementById("nq-copy");
  if (button && text) {
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy answer"; }, 1500);
  }
  return [];
}
