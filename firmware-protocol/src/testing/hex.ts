/** Test support: bytes written as hex, as the RFCs' and the spec's examples are (whitespace ignored), and back. */
export const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
