// seek-bzip ships no types; only the buffer decoder is used.
declare module 'seek-bzip' {
  const Bunzip: {
    decode(input: Uint8Array, output?: number, multistream?: boolean): Buffer;
  };
  export default Bunzip;
}
