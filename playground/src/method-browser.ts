// The service / method browser: the services the chosen server serves and any loaded descriptor
// set, each method with its call kind.

import type { DescMethod } from "@bufbuild/protobuf";
import { kindLabel, methodPath, visibleSources } from "./descriptors.js";
import { h, mount } from "./dom.js";
import { state } from "./state.js";

export class MethodBrowser {
  constructor(
    private readonly host: HTMLElement,
    private readonly onSelect: (method: DescMethod) => void,
  ) {}

  render(): void {
    const sources = visibleSources();
    state.services = sources.flatMap((s) => s.services.map((svc) => svc.typeName));
    mount(
      this.host,
      sources.map((source) =>
        h("div", { class: "source" },
          h("div", { class: "source-label" }, source.label),
          source.services.length === 0 ? h("p", { class: "hint" }, "no services in this set") : null,
          source.services.map((service) =>
            h("details", { class: "service", open: true },
              h("summary", { title: service.typeName }, service.name, h("span", { class: "pkg" }, ` ${service.file.proto.package}`)),
              h("ul", {},
                service.methods.map((m) =>
                  h("li", {},
                    h("button", {
                      class: `method${state.selected === methodPath(m) ? " selected" : ""}`,
                      "data-method": methodPath(m),
                      onclick: () => this.select(m),
                    },
                      h("span", {}, m.name),
                      h("span", { class: `kind ${m.methodKind}` }, kindLabel[m.methodKind]),
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  select(method: DescMethod): void {
    state.selected = methodPath(method);
    this.render();
    this.onSelect(method);
  }
}
