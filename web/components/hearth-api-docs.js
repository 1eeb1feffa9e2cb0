// @ts-check
/**
 * `<hearth-api-docs src="/api/openapi.json">`: Hearth's own API explorer.
 * Lists every operation by tag with its parameters, body and responses,
 * and lets you send a request from the page.
 */
import { h } from '../dom.js';

/** @typedef {Record<string, any>} Json */

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export class HearthApiDocs extends HTMLElement {
  async connectedCallback() {
    const src = this.getAttribute('src') ?? '/api/openapi.json';
    try {
      const response = await fetch(src, { headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`The API description answered ${response.status}.`);
      this.spec = /** @type {Json} */ (await response.json());
      this.render();
    } catch (err) {
      this.replaceChildren(h('p', { class: 'inline-error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    }
  }

  render() {
    const spec = /** @type {Json} */ (this.spec);
    const base = spec.servers?.[0]?.url ?? '';
    /** @type {Map<string, HTMLElement[]>} */
    const byTag = new Map();
    for (const [path, item] of Object.entries(spec.paths ?? {})) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const tag = op.tags?.[0] ?? 'Other';
        if (!byTag.has(tag)) byTag.set(tag, []);
        byTag.get(tag)?.push(this.operation(base, path, method, op));
      }
    }
    const tagText = new Map((spec.tags ?? []).map((/** @type {Json} */ tag) => [tag.name, tag.description ?? '']));
    const sections = [...byTag].map(([tag, ops]) =>
      h('section', {}, h('h2', { class: 'docs-tag' }, tag), tagText.get(tag) ? h('p', { class: 'muted' }, tagText.get(tag)) : null, ...ops),
    );
    this.replaceChildren(
      h('h1', {}, `${spec.info?.title ?? 'API'} ${spec.info?.version ?? ''}`),
      h('p', {}, spec.info?.description ?? ''),
      h('p', { class: 'muted' }, 'The machine-readable description: ', h('a', { href: '/api/openapi.json' }, '/api/openapi.json'), '.'),
      ...sections,
    );
  }

  /**
   * @param {string} base
   * @param {string} path
   * @param {string} method
   * @param {Json} op
   */
  operation(base, path, method, op) {
    const params = /** @type {Json[]} */ (op.parameters ?? []);
    const body = op.requestBody?.content?.['application/json']?.schema;
    const parts = [];
    if (op.description) parts.push(h('p', {}, op.description));
    if (params.length) {
      parts.push(
        h('h3', {}, 'Parameters'),
        h(
          'table',
          {},
          h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'In'), h('th', {}, 'Type'), h('th', {}, 'Required')),
          ...params.map((p) =>
            h('tr', {}, h('td', {}, p.name), h('td', {}, p.in), h('td', {}, this.typeName(p.schema)), h('td', {}, p.required ? 'yes' : 'no')),
          ),
        ),
      );
    }
    if (body) parts.push(h('h3', {}, 'Request body (JSON)'), h('pre', {}, JSON.stringify(this.example(body), null, 2)));
    parts.push(h('h3', {}, 'Responses'));
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      const schema = response.content && Object.values(response.content)[0]?.schema;
      parts.push(
        h('p', {}, h('strong', {}, status === 'default' ? 'Error' : status), ' ', response.description ?? ''),
        schema ? h('pre', {}, JSON.stringify(this.example(schema), null, 2)) : null,
      );
    }
    parts.push(h('h3', {}, 'Try it'), this.tryForm(base, path, method, params.filter((p) => p.in !== 'header'), body));
    return h(
      'details',
      { class: 'op', id: op.operationId ?? `${method}-${path}` },
      h('summary', {}, h('span', { class: 'op-method' }, method), h('span', { class: 'op-path' }, base + path), h('span', { class: 'op-summary' }, op.summary ?? '')),
      h('div', { class: 'op-body' }, ...parts),
    );
  }

  /**
   * @param {string} base
   * @param {string} path
   * @param {string} method
   * @param {Json[]} params
   * @param {Json | undefined} body
   */
  tryForm(base, path, method, params, body) {
    const inputs = params.map((p) => ({ param: p, input: h('input', { name: p.name, autocomplete: 'off' }) }));
    const bodyInput = body ? h('textarea', { rows: '6', spellcheck: 'false' }, JSON.stringify(this.example(body), null, 2)) : null;
    const output = h('pre', { class: 'try-output', hidden: '' });
    const form = h(
      'form',
      { class: 'try' },
      ...inputs.map(({ param, input }) => h('label', {}, `${param.name} (${param.in})`, input)),
      bodyInput ? h('label', {}, 'Body', bodyInput) : null,
      h('button', { class: 'button', type: 'submit' }, 'Send request'),
      output,
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      let url = base + path;
      const query = new URLSearchParams();
      for (const { param, input } of inputs) {
        if (param.in === 'path') url = url.replace(`{${param.name}}`, encodeURIComponent(input.value));
        else if (input.value) query.set(param.name, input.value);
      }
      if ([...query].length) url += `?${query}`;
      /** @type {RequestInit} */
      const init = { method: method.toUpperCase(), headers: { accept: 'application/json' } };
      if (bodyInput) {
        init.headers = { ...init.headers, 'content-type': 'application/json' };
        init.body = bodyInput.value;
      }
      output.hidden = false;
      output.textContent = 'Sending…';
      try {
        const response = await fetch(url, init);
        const text = await response.text();
        let shown = text;
        try {
          shown = JSON.stringify(JSON.parse(text), null, 2);
        } catch {
          // Not JSON: show it as it came.
        }
        output.textContent = `${response.status} ${response.statusText}\nx-request-id: ${response.headers.get('x-request-id') ?? ''}\n\n${shown}`;
      } catch (err) {
        output.textContent = `The request failed: ${err instanceof Error ? err.message : err}`;
      }
    });
    return form;
  }

  /**
   * Resolves `$ref` into `components.schemas`.
   * @param {Json} schema
   * @returns {Json}
   */
  resolve(schema) {
    const ref = schema?.$ref ?? schema?.allOf?.[0]?.$ref;
    if (typeof ref === 'string') {
      return this.spec?.components?.schemas?.[ref.split('/').pop() ?? ''] ?? {};
    }
    return schema ?? {};
  }

  /** @param {Json} schema */
  typeName(schema) {
    const resolved = this.resolve(schema);
    return resolved.format ? `${resolved.type} (${resolved.format})` : resolved.type ?? 'object';
  }

  /**
   * A sample value for a schema, for reading and for the Try-it body.
   * @param {Json} schema
   * @param {number} [depth]
   * @returns {unknown}
   */
  example(schema, depth = 0) {
    const s = this.resolve(schema);
    if (depth > 4) return null;
    if (s.example !== undefined) return s.example;
    if (s.enum) return s.enum[0];
    switch (s.type) {
      case 'object': {
        /** @type {Record<string, unknown>} */
        const out = {};
        for (const [name, prop] of Object.entries(s.properties ?? {})) out[name] = this.example(prop, depth + 1);
        return out;
      }
      case 'array':
        return [this.example(s.items ?? {}, depth + 1)];
      case 'integer':
      case 'number':
        return 0;
      case 'boolean':
        return false;
      case 'string':
        return s.format === 'date-time' ? new Date(0).toISOString() : '';
      default:
        return s.properties ? this.example({ ...s, type: 'object' }, depth) : null;
    }
  }
}

customElements.define('hearth-api-docs', HearthApiDocs);
