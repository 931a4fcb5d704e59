// The JSON request editor: pre-filled from the input schema, validated as you type (JSON syntax
// first, then the message schema, with the line of the offending field when it can be found).

import { fromJson, type DescMessage, type JsonValue, type Message, type Registry } from "@bufbuild/protobuf";
import { h, mount } from "./dom.js";
import { describeField, templateFor } from "./json-template.js";

export interface Parsed {
  ok: true;
  message: Message;
  json: JsonValue;
}
export interface Invalid {
  ok: false;
  error: string;
  line: number | undefined;
}

export class RequestEditor {
  readonly textarea: HTMLTextAreaElement;
  private readonly problem = h("div", { class: "problem", role: "status" });
  private readonly help = h("details", { class: "schema-help" });
  private schema: DescMessage | undefined;
  private timer: number | undefined;

  constructor(
    host: HTMLElement,
    private readonly registry: () => Registry,
  ) {
    this.textarea = h("textarea", {
      id: "request-json",
      spellcheck: false,
      rows: 12,
      oninput: () => {
        clearTimeout(this.timer);
        this.timer = window.setTimeout(() => this.validate(), 150);
      },
    });
    mount(
      host,
      this.textarea,
      this.problem,
      h("p", { class: "hint" }, "In streams, ", h("code", {}, "{{i}}"), " becomes the message's index."),
      this.help,
    );
  }

  /** Shows a fresh template for `schema`. */
  setSchema(schema: DescMessage): void {
    this.schema = schema;
    this.textarea.value = JSON.stringify(templateFor(schema), null, 2);
    mount(
      this.help,
      h("summary", {}, `${schema.typeName} fields`),
      h("ul", {}, schema.fields.map((f) => h("li", {}, h("code", {}, describeField(f))))),
    );
    this.validate();
  }

  setText(text: string): void {
    this.textarea.value = text;
    this.validate();
  }

  get text(): string {
    return this.textarea.value;
  }

  /** Parses the editor's content for message number `index` (replacing {{i}}), showing any problem. */
  read(index = 0): Parsed | Invalid {
    const result = this.parse(index);
    this.show(result);
    return result;
  }

  validate(): boolean {
    return this.read(0).ok;
  }

  private parse(index: number): Parsed | Invalid {
    if (!this.schema) return { ok: false, error: "choose a method first", line: undefined };
    const text = this.textarea.value.replace(/"\{\{i\}\}"/g, String(index)).replace(/\{\{i\}\}/g, String(index));
    let json: JsonValue;
    try {
      json = JSON.parse(text) as JsonValue;
    } catch (e) {
      return { ok: false, error: `JSON: ${(e as Error).message}`, line: jsonErrorLine(e as Error, text) };
    }
    try {
      const message = fromJson(this.schema, json, { registry: this.registry() });
      return { ok: true, message, json };
    } catch (e) {
      const error = (e as Error).message;
      return { ok: false, error, line: fieldLine(error, this.textarea.value, this.schema) };
    }
  }

  private show(result: Parsed | Invalid): void {
    this.textarea.classList.toggle("invalid", !result.ok);
    if (result.ok) {
      this.problem.textContent = "✓ valid " + (this.schema?.typeName ?? "");
      this.problem.className = "problem ok";
    } else {
      this.problem.textContent = (result.line !== undefined ? `line ${result.line}: ` : "") + result.error;
      this.problem.className = "problem bad";
    }
  }
}

/** Chromium: "… at position 42 (line 3 column 5)"; others: "line 3 column 5"; or just a position. */
function jsonErrorLine(e: Error, text: string): number | undefined {
  const line = /line (\d+)/.exec(e.message);
  if (line) return Number(line[1]);
  const pos = /position (\d+)/.exec(e.message);
  if (pos) return text.slice(0, Number(pos[1])).split("\n").length;
  return undefined;
}

/** protobuf-es names the field ("cannot decode field playground.v1.GreetRequest.delay_ms …"): find its key. */
function fieldLine(error: string, text: string, schema: DescMessage): number | undefined {
  const named = /field ([\w.]+)\.(\w+)/.exec(error) ?? /key "(\w+)"/.exec(error);
  if (!named) return undefined;
  const name = named[2] ?? named[1]!;
  const field = schema.fields.find((f) => f.name === name || f.jsonName === name);
  for (const key of [field?.jsonName, field?.name, name]) {
    if (!key) continue;
    const at = text.indexOf(`"${key}"`);
    if (at >= 0) return text.slice(0, at).split("\n").length;
  }
  return undefined;
}
