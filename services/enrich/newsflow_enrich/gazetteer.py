"""Place and actor data as tables: country names, demonyms, metonyms, known actors.

Country names come from pycountry (ISO 3166) with the short names newsrooms use; the
rest is small hand-kept data in the spirit of the PETRARCH/Phoenix actor dictionaries:
demonyms, seats of government, a few dozen well-known office holders and international
organisations, and words that give an organisation's sector.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pycountry

# ISO names that no newsroom uses ("Russian Federation", "Korea, Republic of").
_SHORT_NAMES = {
    "RUS": "Russia",
    "USA": "United States",
    "GBR": "United Kingdom",
    "IRN": "Iran",
    "KOR": "South Korea",
    "PRK": "North Korea",
    "SYR": "Syria",
    "VEN": "Venezuela",
    "BOL": "Bolivia",
    "TZA": "Tanzania",
    "VNM": "Vietnam",
    "LAO": "Laos",
    "MDA": "Moldova",
    "PSE": "Palestine",
    "TWN": "Taiwan",
    "CZE": "Czech Republic",
    "COD": "DR Congo",
    "COG": "Congo",
    "TUR": "Turkey",
    "CIV": "Ivory Coast",
    "MKD": "North Macedonia",
    "BRN": "Brunei",
    "FSM": "Micronesia",
    "VAT": "Vatican",
}

# Other ways articles name a country (lower-case, without a leading "the").
_EXTRA_NAMES = {
    "u.s.": "USA",
    "us": "USA",
    "usa": "USA",
    "u.s.a.": "USA",
    "america": "USA",
    "united states of america": "USA",
    "uk": "GBR",
    "u.k.": "GBR",
    "britain": "GBR",
    "great britain": "GBR",
    "england": "GBR",
    "scotland": "GBR",
    "wales": "GBR",
    "northern ireland": "GBR",
    "russian federation": "RUS",
    "holland": "NLD",
    "burma": "MMR",
    "czechia": "CZE",
    "türkiye": "TUR",
    "turkiye": "TUR",
    "ivory coast": "CIV",
    "uae": "ARE",
    "u.a.e.": "ARE",
    "emirates": "ARE",
    "palestinian territories": "PSE",
    "gaza": "PSE",
    "gaza strip": "PSE",
    "west bank": "PSE",
    "prc": "CHN",
    "mainland china": "CHN",
    "drc": "COD",
    "south korea": "KOR",
    "north korea": "PRK",
    "vatican city": "VAT",
    "macedonia": "MKD",
    "crimea": "UKR",
    "donbas": "UKR",
    "kosovo": "XKX",
}

DEMONYMS = {
    "afghan": "AFG",
    "albanian": "ALB",
    "algerian": "DZA",
    "american": "USA",
    "argentine": "ARG",
    "argentinian": "ARG",
    "armenian": "ARM",
    "australian": "AUS",
    "austrian": "AUT",
    "azerbaijani": "AZE",
    "bahraini": "BHR",
    "bangladeshi": "BGD",
    "belarusian": "BLR",
    "belgian": "BEL",
    "bolivian": "BOL",
    "bosnian": "BIH",
    "brazilian": "BRA",
    "british": "GBR",
    "bulgarian": "BGR",
    "burmese": "MMR",
    "cambodian": "KHM",
    "canadian": "CAN",
    "chilean": "CHL",
    "chinese": "CHN",
    "colombian": "COL",
    "congolese": "COD",
    "croatian": "HRV",
    "cuban": "CUB",
    "cypriot": "CYP",
    "czech": "CZE",
    "danish": "DNK",
    "dutch": "NLD",
    "ecuadorian": "ECU",
    "egyptian": "EGY",
    "emirati": "ARE",
    "english": "GBR",
    "eritrean": "ERI",
    "estonian": "EST",
    "ethiopian": "ETH",
    "filipino": "PHL",
    "finnish": "FIN",
    "french": "FRA",
    "georgian": "GEO",
    "german": "DEU",
    "ghanaian": "GHA",
    "greek": "GRC",
    "haitian": "HTI",
    "hungarian": "HUN",
    "icelandic": "ISL",
    "indian": "IND",
    "indonesian": "IDN",
    "iranian": "IRN",
    "iraqi": "IRQ",
    "irish": "IRL",
    "israeli": "ISR",
    "italian": "ITA",
    "japanese": "JPN",
    "jordanian": "JOR",
    "kazakh": "KAZ",
    "kenyan": "KEN",
    "korean": "KOR",
    "south korean": "KOR",
    "north korean": "PRK",
    "kuwaiti": "KWT",
    "latvian": "LVA",
    "lebanese": "LBN",
    "libyan": "LBY",
    "lithuanian": "LTU",
    "malaysian": "MYS",
    "malian": "MLI",
    "mexican": "MEX",
    "moldovan": "MDA",
    "mongolian": "MNG",
    "moroccan": "MAR",
    "nepali": "NPL",
    "nepalese": "NPL",
    "new zealander": "NZL",
    "nigerian": "NGA",
    "nigerien": "NER",
    "norwegian": "NOR",
    "omani": "OMN",
    "pakistani": "PAK",
    "palestinian": "PSE",
    "peruvian": "PER",
    "polish": "POL",
    "portuguese": "PRT",
    "qatari": "QAT",
    "romanian": "ROU",
    "russian": "RUS",
    "rwandan": "RWA",
    "saudi": "SAU",
    "scottish": "GBR",
    "senegalese": "SEN",
    "serbian": "SRB",
    "singaporean": "SGP",
    "slovak": "SVK",
    "slovenian": "SVN",
    "somali": "SOM",
    "south african": "ZAF",
    "spanish": "ESP",
    "sri lankan": "LKA",
    "sudanese": "SDN",
    "south sudanese": "SSD",
    "swedish": "SWE",
    "swiss": "CHE",
    "syrian": "SYR",
    "taiwanese": "TWN",
    "tajik": "TJK",
    "thai": "THA",
    "tunisian": "TUN",
    "turkish": "TUR",
    "ugandan": "UGA",
    "ukrainian": "UKR",
    "uruguayan": "URY",
    "uzbek": "UZB",
    "venezuelan": "VEN",
    "vietnamese": "VNM",
    "welsh": "GBR",
    "yemeni": "YEM",
    "zambian": "ZMB",
    "zimbabwean": "ZWE",
    "kiwi": "NZL",
    "aussie": "AUS",
    "brit": "GBR",
    "soviet": "RUS",
}

# Seats of government: always the government when named as a body.
GOVERNMENT_SEATS = {
    "kremlin": "RUS",
    "white house": "USA",
    "downing street": "GBR",
    "number 10": "GBR",
    "elysee": "FRA",
    "élysée": "FRA",
    "elysee palace": "FRA",
    "pentagon": "USA",
    "zhongnanhai": "CHN",
    "bankova": "UKR",
    "blue house": "KOR",
    "quai d'orsay": "FRA",
    "whitehall": "GBR",
    "foggy bottom": "USA",
    "state department": "USA",
}

# Capitals: the government when they act ("Moscow said"), a place otherwise.
CAPITALS = {
    "moscow": "RUS",
    "washington": "USA",
    "kyiv": "UKR",
    "kiev": "UKR",
    "beijing": "CHN",
    "london": "GBR",
    "paris": "FRA",
    "berlin": "DEU",
    "tehran": "IRN",
    "jerusalem": "ISR",
    "ankara": "TUR",
    "tokyo": "JPN",
    "seoul": "KOR",
    "pyongyang": "PRK",
    "new delhi": "IND",
    "islamabad": "PAK",
    "damascus": "SYR",
    "baghdad": "IRQ",
    "kabul": "AFG",
    "caracas": "VEN",
    "havana": "CUB",
    "riyadh": "SAU",
    "cairo": "EGY",
    "ottawa": "CAN",
    "canberra": "AUS",
    "pretoria": "ZAF",
    "minsk": "BLR",
    "warsaw": "POL",
    "rome": "ITA",
    "madrid": "ESP",
    "taipei": "TWN",
    "hanoi": "VNM",
    "manila": "PHL",
    "jakarta": "IDN",
    "doha": "QAT",
    "abu dhabi": "ARE",
    "tbilisi": "GEO",
    "yerevan": "ARM",
    "baku": "AZE",
    "budapest": "HUN",
    "vilnius": "LTU",
    "riga": "LVA",
    "tallinn": "EST",
    "helsinki": "FIN",
    "stockholm": "SWE",
    "oslo": "NOR",
    "copenhagen": "DNK",
    "dublin": "IRL",
    "athens": "GRC",
    "belgrade": "SRB",
    "bucharest": "ROU",
    "sofia": "BGR",
    "prague": "CZE",
    "vienna": "AUT",
    "bern": "CHE",
    "amman": "JOR",
    "beirut": "LBN",
    "tripoli": "LBY",
    "khartoum": "SDN",
    "addis ababa": "ETH",
    "nairobi": "KEN",
    "abuja": "NGA",
    "brasilia": "BRA",
    "buenos aires": "ARG",
    "mexico city": "MEX",
    "bogota": "COL",
    "lima": "PER",
    "santiago": "CHL",
    "wellington": "NZL",
    "dhaka": "BGD",
    "kathmandu": "NPL",
    "colombo": "LKA",
    "bangkok": "THA",
    "naypyidaw": "MMR",
    "sanaa": "YEM",
    "muscat": "OMN",
    "kuwait city": "KWT",
}

# Continents and blocs whose adjective is not a country ("European leaders").
REGION_DEMONYMS = {
    "european",
    "african",
    "asian",
    "western",
    "arab",
    "latin american",
    "middle eastern",
    "nordic",
    "baltic",
    "balkan",
    "gulf",
}

# Group names (NORP that are not nationalities, and named movements).
GROUPS = {
    "democrats": "Democrats",
    "democrat": "Democrats",
    "democratic": "Democrats",
    "republicans": "Republicans",
    "republican": "Republicans",
    "gop": "Republicans",
    "tories": "Conservatives",
    "tory": "Conservatives",
    "conservatives": "Conservatives",
    "labour": "Labour Party",
    "hamas": "Hamas",
    "hezbollah": "Hezbollah",
    "houthis": "Houthis",
    "houthi": "Houthis",
    "taliban": "Taliban",
    "islamic state": "Islamic State",
    "isis": "Islamic State",
    "isil": "Islamic State",
    "al-qaeda": "al-Qaeda",
    "al qaeda": "al-Qaeda",
    "wagner": "Wagner Group",
    "wagner group": "Wagner Group",
    "muslims": "Muslims",
    "muslim": "Muslims",
    "christians": "Christians",
    "christian": "Christians",
    "jews": "Jews",
    "jewish": "Jews",
    "catholics": "Catholics",
    "catholic": "Catholics",
    "kurds": "Kurds",
    "kurdish": "Kurds",
    "rohingya": "Rohingya",
}
GROUP_SECTORS = {
    "Hamas": "REB",
    "Hezbollah": "REB",
    "Houthis": "REB",
    "Taliban": "REB",
    "Islamic State": "REB",
    "al-Qaeda": "REB",
    "Wagner Group": "MIL",
    "Democrats": "GOV",
    "Republicans": "GOV",
    "Conservatives": "GOV",
    "Labour Party": "GOV",
}
GROUP_COUNTRIES = {
    "Hamas": "PSE",
    "Hezbollah": "LBN",
    "Houthis": "YEM",
    "Taliban": "AFG",
    "Democrats": "USA",
    "Republicans": "USA",
    "Wagner Group": "RUS",
    "Conservatives": "GBR",
    "Labour Party": "GBR",
}

# International organisations: alias -> (canonical name, id slug).
IGOS = {
    "nato": ("NATO", "nato"),
    "north atlantic treaty organization": ("NATO", "nato"),
    "un": ("United Nations", "un"),
    "u.n.": ("United Nations", "un"),
    "united nations": ("United Nations", "un"),
    "un security council": ("UN Security Council", "unsc"),
    "security council": ("UN Security Council", "unsc"),
    "eu": ("European Union", "eu"),
    "european union": ("European Union", "eu"),
    "e.u.": ("European Union", "eu"),
    "european commission": ("European Commission", "ec"),
    "iaea": ("IAEA", "iaea"),
    "who": ("World Health Organization", "who"),
    "world health organization": ("World Health Organization", "who"),
    "imf": ("International Monetary Fund", "imf"),
    "international monetary fund": ("International Monetary Fund", "imf"),
    "world bank": ("World Bank", "world-bank"),
    "opec": ("OPEC", "opec"),
    "icj": ("International Court of Justice", "icj"),
    "international court of justice": ("International Court of Justice", "icj"),
    "icc": ("International Criminal Court", "icc"),
    "international criminal court": ("International Criminal Court", "icc"),
    "african union": ("African Union", "au"),
    "asean": ("ASEAN", "asean"),
    "g7": ("G7", "g7"),
    "g20": ("G20", "g20"),
    "wto": ("World Trade Organization", "wto"),
    "osce": ("OSCE", "osce"),
    "unrwa": ("UNRWA", "unrwa"),
    "red cross": ("Red Cross", "icrc"),
    "icrc": ("Red Cross", "icrc"),
    "european parliament": ("European Parliament", "european-parliament"),
}

# Well-known office holders: lower-case full name -> (country, sector).
KNOWN_PEOPLE = {
    "vladimir putin": ("RUS", "GOV"),
    "donald trump": ("USA", "GOV"),
    "joe biden": ("USA", "GOV"),
    "kamala harris": ("USA", "GOV"),
    "jd vance": ("USA", "GOV"),
    "marco rubio": ("USA", "GOV"),
    "antony blinken": ("USA", "GOV"),
    "volodymyr zelensky": ("UKR", "GOV"),
    "volodymyr zelenskyy": ("UKR", "GOV"),
    "xi jinping": ("CHN", "GOV"),
    "benjamin netanyahu": ("ISR", "GOV"),
    "recep tayyip erdogan": ("TUR", "GOV"),
    "narendra modi": ("IND", "GOV"),
    "emmanuel macron": ("FRA", "GOV"),
    "olaf scholz": ("DEU", "GOV"),
    "friedrich merz": ("DEU", "GOV"),
    "keir starmer": ("GBR", "GOV"),
    "rishi sunak": ("GBR", "GOV"),
    "sergei lavrov": ("RUS", "GOV"),
    "dmitry peskov": ("RUS", "GOV"),
    "ali khamenei": ("IRN", "GOV"),
    "kim jong un": ("PRK", "GOV"),
    "alexander lukashenko": ("BLR", "GOV"),
    "viktor orban": ("HUN", "GOV"),
    "cyril ramaphosa": ("ZAF", "GOV"),
    "anthony albanese": ("AUS", "GOV"),
    "justin trudeau": ("CAN", "GOV"),
    "mark carney": ("CAN", "GOV"),
    "nicolas maduro": ("VEN", "GOV"),
    "giorgia meloni": ("ITA", "GOV"),
    "donald tusk": ("POL", "GOV"),
    "mahmoud abbas": ("PSE", "GOV"),
    "shehbaz sharif": ("PAK", "GOV"),
    "yahya sinwar": ("PSE", "REB"),
    "ismail haniyeh": ("PSE", "REB"),
    "masoud pezeshkian": ("IRN", "GOV"),
    "luiz inacio lula da silva": ("BRA", "GOV"),
    "javier milei": ("ARG", "GOV"),
}

# Words in an organisation name (or a person's title) that give its sector.
SECTOR_WORDS = {
    "GOV": {
        "ministry",
        "department",
        "government",
        "parliament",
        "congress",
        "senate",
        "cabinet",
        "administration",
        "council",
        "house",
        "office",
        "agency",
        "commission",
        "president",
        "minister",
        "secretary",
        "senator",
        "governor",
        "mayor",
        "aide",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "ambassador",
        "diplomat",
        "envoy",
        "lawmaker",
        "chancellor",
        "premier",
        "representative",
        "official",
        "legislature",
        "assembly",
        "police",
        "court",
        "judge",
        "fbi",
        "cia",
        "treasury",
        "prosecutor",
    },
    "MIL": {
        "army",
        "military",
        "forces",
        "navy",
        "air force",
        "troops",
        "general",
        "commander",
        "marines",
        "defence forces",
        "defense forces",
        "brigade",
        "battalion",
        "regiment",
        "idf",
        "soldier",
    },
    "BUS": {
        "inc",
        "corp",
        "corporation",
        "company",
        "ltd",
        "plc",
        "group",
        "bank",
        "holdings",
        "llc",
        "airlines",
        "airline",
        "motors",
        "ceo",
        "executive",
        "businessman",
        "businesswoman",
        "investor",
        "entrepreneur",
    },
    "MED": {
        "news",
        "times",
        "post",
        "journal",
        "tv",
        "television",
        "radio",
        "press",
        "reuters",
        "associated press",
        "bbc",
        "cnn",
        "journalist",
        "reporter",
        "editor",
    },
    "EDU": {"university", "college", "school", "institute", "academy", "professor"},
    "REB": {"rebels", "rebel", "insurgents", "militants", "militia", "guerrillas"},
    "CVL": {
        "activist",
        "activists",
        "campaigner",
        "protesters",
        "ngo",
        "charity",
        "foundation",
        "union",
        "volunteer",
    },
}


def norm(text: str) -> str:
    """Normalised lookup key: NFKC, lower case, curly quotes straightened, no leading 'the'."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").strip().lower()
    text = re.sub(r"^the\s+", "", text)
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=1)
def _country_index() -> tuple[dict[str, str], dict[str, str]]:
    by_name: dict[str, str] = {}
    short: dict[str, str] = {}
    for c in pycountry.countries:
        code = c.alpha_3
        name = _SHORT_NAMES.get(code) or getattr(c, "common_name", None) or c.name
        short[code] = name
        for variant in (c.name, name, getattr(c, "official_name", None)):
            if variant:
                by_name[norm(variant)] = code
    for key, code in _EXTRA_NAMES.items():
        by_name[key] = code
    short["XKX"] = "Kosovo"
    return by_name, short


@lru_cache(maxsize=1)
def _subdivision_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for sub in pycountry.subdivisions:
        country = pycountry.countries.get(alpha_2=sub.country_code)
        key = norm(sub.name)
        # Only unambiguous names: "Georgia" is a country and a US state.
        if country and key not in index:
            index[key] = country.alpha_3
    return index


def country_code(name: str) -> str | None:
    """ISO alpha-3 for a country name or variant ("U.S." -> "USA"), else None."""
    return _country_index()[0].get(norm(name))


def country_name(code: str) -> str:
    """The common English short name of an ISO alpha-3 code ("RUS" -> "Russia")."""
    return _country_index()[1].get(code, code)


def demonym_code(word: str) -> str | None:
    """ISO alpha-3 for a demonym, singular or plural ("Russians" -> "RUS")."""
    key = norm(word)
    if key in DEMONYMS:
        return DEMONYMS[key]
    if key.endswith("s") and key[:-1] in DEMONYMS:
        return DEMONYMS[key[:-1]]
    return None


def place_country(name: str) -> str | None:
    """Country of a capital or a first-level subdivision ("California" -> "USA")."""
    key = norm(name)
    return CAPITALS.get(key) or _subdivision_index().get(key)


def sector_of(words: str) -> str | None:
    """Sector code suggested by words of a name or title ("Defense Department" -> "GOV")."""
    lowered = norm(words)
    tokens = set(re.findall(r"[a-z.']+", lowered))
    for sector in ("MIL", "GOV", "MED", "EDU", "REB", "BUS", "CVL"):
        for word in SECTOR_WORDS[sector]:
            if (" " in word and word in lowered) or word in tokens:
                return sector
    return None
