// Unit tests of the naming rules (codegen/src/names.ts); the golden corpus shows them in context.
import type { DescMethod } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { methodPropertyNames } from "../../codegen/src/names.js";

const props = (...names: string[]) => methodPropertyNames(names.map((name) => ({ name }) as DescMethod));

describe("methodPropertyNames", () => {
  it("lowerCamelCases protobuf names", () => {
    expect(props("Say", "SayHello", "say_hello_world", "GetHTTPStatus", "V2")).toEqual([
      "say",
      "sayHello",
      "sayHelloWorld",
      "getHTTPStatus",
      "v2",
    ]);
  });

  it("numbers names that collide after lowerCamelCase, first one plain", () => {
    expect(props("GetFoo", "get_foo", "getFoo")).toEqual(["getFoo", "getFoo$1", "getFoo$2"]);
  });

  it("escapes names that are unsafe as own properties of a client object", () => {
    expect(props("Constructor", "ToString", "ValueOf", "HasOwnProperty", "Then", "__proto__", "ToJSON")).toEqual([
      "constructor$",
      "toString$",
      "valueOf$",
      "hasOwnProperty$",
      "then$",
      "proto",
      "toJSON$",
    ]);
  });

  it("never lets an escaped name collide with another method's", () => {
    expect(props("Then", "then", "then_")).toEqual(["then$", "then$1", "then$2"]);
  });

  it("keeps reserved words, which are valid property names", () => {
    expect(props("Delete", "class", "New")).toEqual(["delete", "class", "new"]);
  });

  it("keeps the protobuf spelling when camel case would start with a digit", () => {
    expect(props("_1st", "__2nd")).toEqual(["_1st", "__2nd"]);
  });
});
