// Renders the neutral chat message as HTML, for the console and the dashboard. Everything shown
// comes from alerts, clusters and people, so it is set as text, never as HTML.

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Only http(s) links, without credentials (so `https://good.example@evil.example` cannot pass
// for the first host); the link's text is the product's label, its title the URL it leads to.
function safeHref(url) {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return undefined;
  }
}

function renderFields(fields) {
  const list = el('dl', 'fields');
  for (const field of fields ?? []) {
    const item = el('div', 'field');
    item.append(el('dt', '', field.label), el('dd', '', field.value));
    list.append(item);
  }
  return list;
}

function renderLinks(links) {
  const box = el('div', 'links');
  for (const link of links ?? []) {
    const href = safeHref(link.url);
    if (!href) continue;
    const a = el('a', '', link.label);
    a.href = href;
    a.title = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    box.append(a);
  }
  return box;
}

/** The message's parts, in order; `onButton(index, buttonElement)` is called on a click. */
export function renderMessage(message, onButton) {
  const parts = [];
  if (message.headline) parts.push(el('div', 'headline', message.headline));
  if (message.text) parts.push(el('div', 'text', message.text));
  if (message.fields?.length) parts.push(renderFields(message.fields));
  for (const section of message.sections ?? []) {
    const box = el('div', 'section');
    if (section.title) box.append(el('div', 'section-title', section.title));
    if (section.text) box.append(el('div', 'text', section.text));
    if (section.code) box.append(el('pre', 'code', section.code));
    if (section.fields?.length) box.append(renderFields(section.fields));
    if (section.links?.length) box.append(renderLinks(section.links));
    parts.push(box);
  }
  if (message.links?.length) parts.push(renderLinks(message.links));
  if (message.buttons?.length) {
    const box = el('div', 'buttons');
    message.buttons.forEach((button, index) => {
      const b = el('button', `button style-${button.style ?? 'default'}`, button.label);
      b.type = 'button';
      b.addEventListener('click', () => onButton(index, b));
      box.append(b);
    });
    parts.push(box);
  }
  if (message.footer) parts.push(el('div', 'footer', message.footer));
  return parts;
}
