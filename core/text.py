"""Words in sentences."""


def lowercase_first(label: str) -> str:
    """A label inside a sentence: its first letter lowered, the rest as written ("the SRO's", not "the sro's")."""
    first_word = label.split(" ", 1)[0]
    if len(first_word) > 1 and first_word[:2].isupper():
        return label  # an acronym stays as it is: "SRO appointed on"
    return label[:1].lower() + label[1:]
