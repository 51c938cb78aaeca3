package mockserver

// Generated text is drawn token by token from these vocabularies. Every
// piece is one token under the mock's own tokenizer (a space and at most
// five letters, or one punctuation byte), and none needs JSON escaping, so
// the stream writer copies them into pre-encoded event templates as is.
var answerVocab = [...]string{
	" the", " a", " of", " and", " to", " in", " is", " that", " for", " it",
	" on", " with", " as", " this", " by", " are", " be", " at", " from", " or",
	" model", " token", " cache", " query", " load", " value", " time", " test",
	" data", " input", " route", " score", " rate", " queue", " fast", " slow",
	" we", " can", " will", " each", " one", " two", " three", " first", " next",
	" Seed", " mock", " reply", " text", " line", ",", ".", ";", ":",
	" so", " if", " then", " when", " more", " less", " than", " all", " some",
}

var reasoningVocab = [...]string{
	" Let", " me", " think", " about", " this", " step", " by", " step", ".",
	" First", " check", " the", " input", " then", " Maybe", " we", " need",
	" to", " weigh", " cost", " and", " speed", " Hmm", ",", " so", " the",
	" user", " asks", " for", " an", " state", " Okay", " plan", " next",
	" case", " edge", " If", " not", " it", " is", " fine", " Wait", " again",
	" right", " that", " works", " Good", " now", " write", " reply", ":",
	" a", " of", " in", " on", " with", " more", " less", " one", " two",
	" all", " some", " sure", " yes",
}
