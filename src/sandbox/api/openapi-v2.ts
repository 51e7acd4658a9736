/**
 * `/openapi/v2`, which kubectl reads only to validate, on the client, a kind the OpenAPI v3
 * documents do not name: a `kind: List` file's items. client-go reads it in protobuf only
 * (gnostic's `openapi.v2.Document`), so it is written in that encoding: the Swagger version, the
 * title and version, and no definitions, so kubectl finds no schema for an item, leaves its
 * checks to the server (every write asks for `fieldValidation`), and applies each item.
 */
const DOCUMENT = { swagger: '2.0', title: 'Kubernetes', version: 'v1.32.0' };

/** What client-go asks for; the answer is labelled as the API server labels it, a valid MIME type. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
export const OPENAPI_V2_PROTOBUF_CONTENT =
  'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** Document: swagger = 1, info = 2 (Info: title = 1, version = 2), paths = 8 (empty Paths). */
export function openApiV2Protobuf(): Buffer {
  const info = Buffer.concat([text(1, DOCUMENT.title), text(2, DOCUMENT.version)]);
  return Buffer.concat([text(1, DOCUMENT.swagger), bytes(2, info), bytes(8, Buffer.alloc(0))]);
}

export function openApiV2Json() {
  return {
    swagger: DOCUMENT.swagger,
    info: { title: DOCUMENT.title, version: DOCUMENT.version },
    paths: {},
  };
}

function text(field: number, value: string): Buffer {
  return bytes(field, Buffer.from(value, 'utf8'));
}

/** A length-delimited field (wire type 2); every length here is under 128, one varint byte. */
function bytes(field: number, value: Buffer): Buffer {
  if (value.length > 127) throw new Error('a field too long for a one-byte length');
  return Buffer.concat([Buffer.from([(field << 3) | 2, value.length]), value]);
}
