"""Realistic British Columbia names, including non-Latin scripts, stored as exact Unicode.

Pools per cultural background; some persons carry their names in their own
script (Han characters, Gurmukhi), Vietnamese names keep their diacritics and
some Indigenous names are written in their languages' orthographies (ʷ, ə, ł,
ƛ, ʔ and combining marks). No name contains a digit, '?' or a placeholder.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = [
    "ACCENTED_FAMILY",
    "ACCENTED_GIVEN",
    "CULTURES",
    "NICKNAMES",
    "Culture",
    "PersonName",
    "pick_culture",
]


@dataclass(frozen=True)
class PersonName:
    first: str
    middle: str | None
    last: str


@dataclass(frozen=True)
class Culture:
    key: str
    weight: float
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    middle_rate: float
    # Names in the person's own script (or orthography), used with probability native_rate.
    native_male: tuple[str, ...] = ()
    native_female: tuple[str, ...] = ()
    native_family: tuple[str, ...] = ()
    native_rate: float = 0.0

    def given(self, rng: random.Random, sex: str, native: bool) -> str:
        if native and self.native_male:
            return rng.choice(self.native_male if sex == "M" else self.native_female)
        return rng.choice(self.male if sex == "M" else self.female)

    def surname(self, rng: random.Random, native: bool) -> str:
        if native and self.native_family:
            return rng.choice(self.native_family)
        return rng.choice(self.family)

    def middle(self, rng: random.Random, sex: str, native: bool) -> str | None:
        if rng.random() >= self.middle_rate:
            return None
        if self.key == "vietnamese":
            return "Văn" if sex == "M" else "Thị"
        return self.given(rng, sex, native)


# fmt: off
_ANGLO_M = (
    "William", "James", "Robert", "Michael", "David", "John", "Thomas", "Daniel", "Matthew",
    "Christopher", "Joseph", "Richard", "Anthony", "Nicholas", "Benjamin", "Alexander", "Samuel",
    "Ethan", "Liam", "Noah", "Lucas", "Owen", "Logan", "Jacob", "Ryan", "Tyler", "Brandon", "Dylan",
    "Kyle", "Cody", "Jordan", "Connor", "Austin", "Evan", "Nathan", "Caleb", "Hunter", "Mason",
    "Carter", "Wyatt", "Levi", "Jack", "Oliver", "Henry", "Theo", "Graham", "Colin", "Spencer",
    "Trevor", "Derek", "Shane", "Travis", "Jesse", "Gavin", "Riley", "Declan",
)
_ANGLO_F = (
    "Elizabeth", "Katherine", "Jennifer", "Jessica", "Sarah", "Emily", "Emma", "Olivia", "Ava",
    "Sophia", "Hannah", "Madison", "Abigail", "Ashley", "Amanda", "Brittany", "Stephanie", "Nicole",
    "Megan", "Rachel", "Samantha", "Lauren", "Kayla", "Amber", "Crystal", "Tiffany", "Danielle",
    "Melissa", "Heather", "Michelle", "Kimberly", "Margaret", "Susan", "Karen", "Lisa", "Angela",
    "Tanya", "Shannon", "Charlotte", "Amelia", "Isla", "Lily", "Grace", "Ella", "Harper", "Avery",
    "Nora", "Ruby", "Brooke", "Paige", "Jenna", "Courtney",
)
_ANGLO_FAMILY = (
    "Smith", "Brown", "Wilson", "Taylor", "Johnson", "Campbell", "Anderson", "Thompson",
    "MacDonald", "Stewart", "Robinson", "Clark", "Lewis", "Walker", "Young", "Martin", "White",
    "Scott", "Moore", "Mitchell", "Graham", "Fraser", "Murray", "Reid", "Morrison", "Hamilton",
    "Kennedy", "Ross", "Wright", "Hughes", "Turner", "Harris", "Cook", "Parker", "Evans", "Russell",
    "Bell", "Ward", "Hall", "Morgan", "Cooper", "Price", "O'Brien", "McLeod", "Henderson",
    "Sutherland", "Patterson", "Gibson", "Ferguson", "Douglas", "Wallace", "Chapman", "Fletcher",
    "Hudson", "Jensen", "Olsen", "Kowalski", "Novak", "Petersen", "Müller", "Sørensen", "Schmidt",
    "Wojcik", "Van der Berg", "Smith-Jones", "Dubois",
)
_INDIG_M = (
    "Joseph", "Wayne", "Cody", "Tyson", "Dakota", "Jordan", "Raven", "Hunter", "Colton", "Tristan",
    "Everett", "Isaiah", "Marcus", "Nathaniel", "Logan", "Dustin", "Clifford",
)
_INDIG_F = (
    "Cheyenne", "Destiny", "Autumn", "Skye", "Kaylee", "Jade", "Shania", "Marissa", "Tamara",
    "Sierra", "Willow", "Dawn", "Faith", "Leona", "Brandy", "Rosalie", "Mariah",
)
_INDIG_FAMILY = (
    "Joe", "Jack", "George", "Paul", "Williams", "Johnny", "Charlie", "Louie", "Alec", "August",
    "Harry", "Antoine", "Jules", "Gladstone", "Hunt", "Sandy", "Point", "Sparrow", "Wesley",
    "Dennis", "Alfred", "Seymour", "Mack", "Sampson", "Jimmie", "Thomas", "Jacobs", "Bob", "Edgar",
    "Leon", "Moody", "Morven", "Pierre", "Casimir", "Basil", "Tom",
)
_INDIG_NATIVE_M = (
    "Xʷəlməxʷ", "Sʔəyəm", "Qʷíqʷəl", "T̓əmlax̌ʷ", "ƛ̓inaʔ", "Kʷəsiʔ", "Łaxʷəlas", "Ḵ̓wágila",
)
_INDIG_NATIVE_F = (
    "Siyámtəl", "Səlísəmət", "ƛ̓áqʷəm", "X̱ʷáyəlut", "Ts̓ílaʔ", "Sx̱ʷiyáləm", "Łəmsíya",
)
_INDIG_NATIVE_FAMILY = (
    "Sq̓ʷəlqʷəl", "X̱ʷəm̓alhkʷu", "ƛ̓əx̌ʷəls", "K̓ʷaʔxʷəl", "Siyéxʷəm", "Łíqʷəlas",
)
_CHINESE_M = (
    "Wei", "Ming", "Jun", "Hao", "Kevin", "Jason", "Eric", "Tony", "Ka Ho", "Zhi Hao", "Brian",
    "Kenneth",
)
_CHINESE_F = (
    "Mei", "Xin Yi", "Jia Hui", "Vivian", "Cindy", "Grace", "Wing Yan", "Ling", "Fiona", "Jenny",
    "Hui Min",
)
_CHINESE_FAMILY = (
    "Chen", "Li", "Wang", "Zhang", "Liu", "Huang", "Lin", "Wu", "Zhou", "Leung", "Wong", "Chan",
    "Lam", "Cheung", "Ng", "Ho",
)
_CHINESE_NATIVE_M = (
    "伟", "明", "浩然", "子轩", "俊杰", "志强", "家豪",
)
_CHINESE_NATIVE_F = (
    "丽华", "欣怡", "美玲", "嘉怡", "晓红", "雨桐", "静",
)
_CHINESE_NATIVE_FAMILY = (
    "陈", "李", "王", "张", "刘", "黄", "林", "吴", "周", "梁",
)
_PUNJABI_M = (
    "Harpreet", "Gurpreet", "Mandeep", "Jaspreet", "Sukhwinder", "Amandeep", "Navjot", "Rajveer",
    "Arjun", "Parmjit", "Karan", "Baljit",
)
_PUNJABI_F = (
    "Simran", "Manpreet", "Harleen", "Jasleen", "Navneet", "Gurleen", "Rupinder", "Kiranjit",
    "Prabhjot", "Amrit", "Harjit",
)
_PUNJABI_FAMILY = (
    "Singh", "Kaur", "Sandhu", "Gill", "Dhillon", "Sidhu", "Grewal", "Brar", "Johal", "Bains",
    "Mann", "Sahota",
)
_PUNJABI_NATIVE_M = (
    "ਹਰਪ੍ਰੀਤ", "ਗੁਰਪ੍ਰੀਤ", "ਮਨਦੀਪ", "ਸੁਖਵਿੰਦਰ", "ਨਵਜੋਤ", "ਰਾਜਵੀਰ",
)
_PUNJABI_NATIVE_F = (
    "ਸਿਮਰਨ", "ਮਨਪ੍ਰੀਤ", "ਜਸਲੀਨ", "ਨਵਨੀਤ", "ਗੁਰਲੀਨ", "ਅੰਮ੍ਰਿਤ",
)
_PUNJABI_NATIVE_FAMILY = (
    "ਸਿੰਘ", "ਕੌਰ", "ਸੰਧੂ", "ਗਿੱਲ", "ਢਿੱਲੋਂ", "ਸਿੱਧੂ", "ਗਰੇਵਾਲ", "ਬਰਾੜ",
)
_VIET_M = (
    "Minh", "Đức", "Hùng", "Quốc Huy", "Tuấn", "Khánh", "Phúc", "Long", "Thành", "Bảo",
)
_VIET_F = (
    "Hương", "Ngọc Anh", "Thanh Tâm", "Bảo Châu", "Thu Trang", "Lan", "Mai", "Hạnh", "Linh",
    "Phương",
)
_VIET_FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ",
)
_FILIPINO_M = (
    "Jose", "José", "Mark", "John Paul", "Angelo", "Rommel", "Carlo", "Jerome", "Ramon", "Paolo",
)
_FILIPINO_F = (
    "Maria", "Angelica", "Kristine", "Maricel", "Jocelyn", "Rowena", "Princess", "Andrea",
    "Lourdes", "Mylene",
)
_FILIPINO_FAMILY = (
    "Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Dela Cruz", "Ramos", "Aquino",
    "Villanueva",
)
_FRENCH_M = (
    "Éric", "Frédéric", "Jérôme", "André", "Benoît", "Mathéo", "Luc", "Pierre", "Étienne",
    "Sébastien", "Marc", "Gaétan",
)
_FRENCH_F = (
    "Renée", "Hélène", "Zoë", "Chloé", "Anaïs", "Noémie", "Léa", "Ève", "Josée", "Céline", "Amélie",
    "Geneviève",
)
_FRENCH_FAMILY = (
    "Côté", "Bélanger", "Gagné", "Lévesque", "Thériault", "Bérubé", "Séguin", "Hébert", "Tremblay",
    "Gagnon", "Roy", "Bouchard", "Pelletier", "Lefèbvre",
)
# fmt: on

CULTURES: tuple[Culture, ...] = (
    Culture("anglo", 0.44, _ANGLO_M, _ANGLO_F, _ANGLO_FAMILY, 0.55),
    Culture(
        "indigenous",
        0.20,
        _INDIG_M,
        _INDIG_F,
        _INDIG_FAMILY,
        0.45,
        _INDIG_NATIVE_M,
        _INDIG_NATIVE_F,
        _INDIG_NATIVE_FAMILY,
        0.2,
    ),
    Culture(
        "chinese",
        0.08,
        _CHINESE_M,
        _CHINESE_F,
        _CHINESE_FAMILY,
        0.15,
        _CHINESE_NATIVE_M,
        _CHINESE_NATIVE_F,
        _CHINESE_NATIVE_FAMILY,
        0.3,
    ),
    Culture(
        "punjabi",
        0.09,
        _PUNJABI_M,
        _PUNJABI_F,
        _PUNJABI_FAMILY,
        0.1,
        _PUNJABI_NATIVE_M,
        _PUNJABI_NATIVE_F,
        _PUNJABI_NATIVE_FAMILY,
        0.25,
    ),
    Culture("vietnamese", 0.04, _VIET_M, _VIET_F, _VIET_FAMILY, 0.6),
    Culture("filipino", 0.05, _FILIPINO_M, _FILIPINO_F, _FILIPINO_FAMILY, 0.4),
    Culture("french", 0.10, _FRENCH_M, _FRENCH_F, _FRENCH_FAMILY, 0.35),
)

# Given names with an accented Latin letter (for LOSSY_CHARSET), and family names
# whose UTF-8 bytes read as CP1252 give reversible mojibake.
ACCENTED_GIVEN: tuple[str, ...] = tuple(
    n for c in CULTURES for n in c.male + c.female if any(ch in "éèêëïîôöüçàâ" for ch in n)
)
ACCENTED_FAMILY: tuple[str, ...] = (
    "Côté",
    "Bélanger",
    "Gagné",
    "Lévesque",
    "Thériault",
    "Hébert",
    "Müller",
    "Sørensen",
)

NICKNAMES: dict[str, str] = {
    "William": "Bill",
    "Robert": "Bob",
    "Elizabeth": "Liz",
    "Katherine": "Kate",
    "Michael": "Mike",
    "Jennifer": "Jen",
    "Joseph": "Joe",
    "Margaret": "Maggie",
    "James": "Jim",
    "Richard": "Rick",
    "Thomas": "Tom",
    "Alexander": "Alex",
    "Christopher": "Chris",
    "Daniel": "Dan",
    "Samantha": "Sam",
    "Jessica": "Jess",
    "Benjamin": "Ben",
    "Matthew": "Matt",
    "Nicholas": "Nick",
    "Anthony": "Tony",
    "Abigail": "Abby",
    "Samuel": "Sam",
    "Nathaniel": "Nate",
    "Kimberly": "Kim",
}

_CUMULATIVE = tuple(sum(c.weight for c in CULTURES[: i + 1]) for i in range(len(CULTURES)))


def pick_culture(rng: random.Random) -> Culture:
    """A culture drawn by its weight."""
    x = rng.random() * _CUMULATIVE[-1]
    for culture, bound in zip(CULTURES, _CUMULATIVE, strict=True):
        if x < bound:
            return culture
    return CULTURES[-1]
