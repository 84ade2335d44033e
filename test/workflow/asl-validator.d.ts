// asl-validator ships no types for its default export; this covers the part the tests use.
declare module 'asl-validator' {
  export default function aslValidator(definition: object): {
    isValid: boolean;
    errors: { message: string }[];
    errorsText: (separator?: string) => string;
  };
}
