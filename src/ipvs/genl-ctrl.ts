/**
 * The generic-netlink controller ("nlctrl", `<linux/genetlink.h>`): resolve a family name to its
 * dynamic id. Pure; the adapter sends the payload with nlmsg_type GENL_ID_CTRL.
 */
import { AttrWriter, parseAttrs, readU16 } from './nlattr.js';
import { GENL_HDRLEN } from './genl-numbers.js';

export const GENL_ID_CTRL = 0x10;
const CTRL_CMD_NEWFAMILY = 1;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;
/** libnl's genl_ctrl_resolve sends version 1. */
const CTRL_VERSION = 1;

export function encodeGetFamilyRequest(name: string): Uint8Array {
  return new AttrWriter().raw(Uint8Array.of(CTRL_CMD_GETFAMILY, CTRL_VERSION, 0, 0)).string(CTRL_ATTR_FAMILY_NAME, name).toBytes();
}

/** The family id from a CTRL_CMD_NEWFAMILY reply, or undefined when the reply is not one. */
export function decodeFamilyId(payload: Uint8Array): number | undefined {
  if (payload.length < GENL_HDRLEN || payload[0] !== CTRL_CMD_NEWFAMILY) return undefined;
  const attrs = parseAttrs(payload.subarray(GENL_HDRLEN));
  return attrs.ok ? readU16(attrs.value.get(CTRL_ATTR_FAMILY_ID)) : undefined;
}
