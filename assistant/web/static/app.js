() => {
  // Links in chat messages (<a href="#pa-open-clause:12"> / "#pa-open-dept:…") open the clause
  // in 政策原文 or the department in 按部门查看: the target goes into a hidden textbox and a
  // hidden button sends it to the server. Capture phase, so the chat never follows the link.
  const PREFIX = '#pa-open-';
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[href^="' + PREFIX + '"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const box = document.querySelector('#pa-link-target textarea, #pa-link-target input');
    const go = document.querySelector('#pa-link-go');
    if (!box || !go) return;
    box.value = link.getAttribute('href').slice(PREFIX.length);
    box.dispatchEvent(new Event('input', { bubbles: true }));
    setTimeout(() => go.click(), 60);
  }, true);
}
