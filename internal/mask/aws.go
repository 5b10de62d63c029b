package mask

// AWS secret access keys have no prefix: they are 40 base64 characters
// that follow a key name such as aws_secret_access_key, AWS_SECRET_KEY or
// SecretAccessKey and a ':' or '='.
const awsSecretLen = 40

// matchAWSSecret returns the match of an AWS secret access key assignment
// at the start of w: the name and separator are kept, the value replaced.
// The name and value may be quoted: with ' or " in text, with ' or \" in
// a JSON string (a raw quote would end it).
func matchAWSSecret(w []byte, text bool) match {
	i := 0
	aws := hasPrefixFold(w, "aws")
	if aws {
		i = skipSep(w, 3)
	}
	if !hasPrefixFold(w[i:], "secret") {
		return match{}
	}
	i = skipSep(w, i+6)
	if hasPrefixFold(w[i:], "access") {
		i = skipSep(w, i+6)
	} else if !aws {
		return match{}
	}
	if !hasPrefixFold(w[i:], "key") {
		return match{}
	}
	i += 3
	if i < len(w) && isAlnum(w[i]) {
		return match{}
	}
	j := skipQuote(w, i, text)
	j += span(w[j:min(len(w), j+4)], cSpace)
	if j >= len(w) || w[j] != ':' && w[j] != '=' {
		return match{}
	}
	j++
	j += span(w[j:min(len(w), j+4)], cSpace)
	j = skipQuote(w, j, text)
	v := w[j:]
	if len(v) < awsSecretLen || span(v[:awsSecretLen], cB64) != awsSecretLen {
		return match{}
	}
	if len(v) > awsSecretLen && (class[v[awsSecretLen]]&cB64 != 0 || isMaskStart(v[awsSecretLen])) {
		return match{}
	}
	return match{keep: j, n: awsSecretLen, class: classSecrets}
}

// skipQuote skips one quote at w[i]: ' or " in text, ' or \" in JSON.
func skipQuote(w []byte, i int, text bool) int {
	switch {
	case i >= len(w):
	case w[i] == '\'':
		return i + 1
	case text && w[i] == '"':
		return i + 1
	case !text && w[i] == '\\' && i+1 < len(w) && w[i+1] == '"':
		return i + 2
	}
	return i
}

// skipSep skips one '_', '-' or '.' at w[i].
func skipSep(w []byte, i int) int {
	if i < len(w) && (w[i] == '_' || w[i] == '-' || w[i] == '.') {
		return i + 1
	}
	return i
}
