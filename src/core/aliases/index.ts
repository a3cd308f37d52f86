export {
  AliasFormatError,
  AliasParseError,
  type CompiledFormat,
  compileFormat,
  extractMultipleParameters,
  extractParameters,
} from "./format.ts";
export {
  AliasAmbiguityError,
  type AliasFormatEntry,
  type AliasMatch,
  aliasHelp,
  findMatchingAlias,
  type HelpQuery,
  type HelpResult,
  listFormatStrings,
  matchCommandToAlias,
  type NormalisedFormat,
  normaliseFormat,
} from "./match.ts";
