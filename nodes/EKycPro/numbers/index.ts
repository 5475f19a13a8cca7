/** Phone numbers to E.164 for the eKYCPro upload file. */
export { normalisePhoneNumber, type NormaliseResult } from './normalise';
export { COUNTRY_OPTIONS, findCountry, type CountryOption, type CountryInfo } from './countries';
export { splitNumberList } from './split';
export { NumberCollector, type NumberBatch, type NumberCollectorOptions, type RejectedNumber } from './collector';
export { isAssignedCallingCode } from './callingCodes';
export {
	NumbersInputError,
	TaskNumbers,
	getPath,
	missingFileError,
	valuesOfFile,
	type NumbersFile,
	type RejectedValue,
	type TaskNumbersResult,
} from './sources';
