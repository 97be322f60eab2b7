"""The catalogue of real places the synthetic network is built in: metros, their streets and agencies.

Street names are real streets of each city, but the generator lays them out on a regular grid around the
metro centre (arterials every few blocks), so distances and crossings are plausible rather than exact. UTC
offsets are standard time; daylight saving is ignored (Phoenix keeps none anyway).
"""

from __future__ import annotations

from dataclasses import dataclass

from plateledger.plates.formats import KNOWN_REGIONS

# Agency roles: which share of cameras and patrol cars each one runs (see network.py).
ROLES = ("city", "county", "state", "private", "federal")


@dataclass(frozen=True, slots=True)
class AgencySpec:
    id: str
    name: str
    role: str  # one of ROLES; the store kind follows from it


@dataclass(frozen=True, slots=True)
class MetroSpec:
    name: str
    region: str
    lat: float
    lon: float
    spacing_m: float
    tz_offset_h: int
    ns_arterials: tuple[str, ...]
    ns_locals: tuple[str, ...]
    ew_arterials: tuple[str, ...]
    ew_locals: tuple[str, ...]
    agencies: tuple[AgencySpec, ...]


def _s(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


# fmt: off
METRO_SPECS: tuple[MetroSpec, ...] = (
    MetroSpec(
        "San Francisco Bay", "US-CA", 37.7599, -122.4148, 180.0, -8,
        _s("Mission St, Valencia St, South Van Ness Ave, Potrero Ave, Guerrero St, Church St, Bryant St, Castro St"),
        _s("Capp St, Shotwell St, Folsom St, Treat Ave, Harrison St, Alabama St, Florida St, Bartlett St, "
           "Hampshire St, York St, San Carlos St, Lexington St, Dolores St, Sanchez St, Noe St, Albion St, "
           "Orange Aly, Linda St, Landers St, Fair Oaks St, Diamond St, Douglass St, Hoffman Ave, Bosworth St"),
        _s("16th St, 24th St, Cesar Chavez St, Duboce Ave, Division St, Ocean Ave, Geneva Ave, 18th St"),
        _s("14th St, 15th St, 17th St, 19th St, 20th St, 21st St, 22nd St, 23rd St, 25th St, 26th St, "
           "Clipper St, 27th St, 28th St, Day St, 29th St, 30th St, Randall St, Chenery St, Monterey Blvd"),
        (AgencySpec("sfpd", "San Francisco Police Department", "city"),
         AgencySpec("sfso", "San Francisco County Sheriff's Office", "county"),
         AgencySpec("chp-gg", "California Highway Patrol, Golden Gate Division", "state"),
         AgencySpec("stonestown", "Stonestown Galleria Security", "private"),
         AgencySpec("cbp-sf", "U.S. Customs and Border Protection, San Francisco Field Office", "federal")),
    ),
    MetroSpec(
        "Phoenix", "US-AZ", 33.4484, -112.0740, 240.0, -7,
        _s("Central Ave, 7th St, 16th St, 24th St, 7th Ave, 19th Ave, 32nd St, 40th St"),
        _s("3rd St, 5th St, 10th St, 12th St, 14th St, 20th St, 22nd St, 3rd Ave, 5th Ave, 11th Ave, "
           "13th Ave, 15th Ave, 28th St, 36th St, 44th St, 1st Ave, 9th Ave, 17th Ave, 26th St, 30th St"),
        _s("McDowell Rd, Thomas Rd, Indian School Rd, Camelback Rd, Van Buren St, Bethany Home Rd, "
           "Glendale Ave, Northern Ave"),
        _s("Roosevelt St, Fillmore St, Palm Ln, Encanto Blvd, Virginia Ave, Oak St, Osborn Rd, Earll Dr, "
           "Turney Ave, Campbell Ave, Highland Ave, Colter St, Missouri Ave, Maryland Ave, Rose Ln, "
           "Montebello Ave, Lamar Rd, Medlock Dr, Garfield St, Moreland St"),
        (AgencySpec("phxpd", "Phoenix Police Department", "city"),
         AgencySpec("mcso", "Maricopa County Sheriff's Office", "county"),
         AgencySpec("azdps", "Arizona Department of Public Safety", "state"),
         AgencySpec("biltmore", "Biltmore Fashion Park Security", "private"),
         AgencySpec("usms-az", "U.S. Marshals Service, District of Arizona", "federal")),
    ),
    MetroSpec(
        "Chicago", "US-IL", 41.8781, -87.6298, 200.0, -6,
        _s("State St, Clark St, Halsted St, Ashland Ave, Western Ave, Damen Ave, Racine Ave, Michigan Ave"),
        _s("Wabash Ave, Dearborn St, LaSalle St, Wells St, Franklin St, Jefferson St, Desplaines St, "
           "Morgan St, Aberdeen St, Loomis St, Laflin St, Wood St, Hoyne Ave, Leavitt St, Oakley Blvd, "
           "Sangamon St, Peoria St, Green St, Paulina St, Honore St"),
        _s("Madison St, Roosevelt Rd, Chicago Ave, North Ave, Division St, Grand Ave, Cermak Rd, Fullerton Ave"),
        _s("Monroe St, Adams St, Jackson Blvd, Van Buren St, Harrison St, Polk St, Taylor St, "
           "Washington Blvd, Randolph St, Lake St, Fulton St, Kinzie St, Ohio St, Erie St, Huron St, "
           "Superior St, Walton St, Oak St, Evergreen Ave, Schiller St"),
        (AgencySpec("cpd", "Chicago Police Department", "city"),
         AgencySpec("ccso", "Cook County Sheriff's Office", "county"),
         AgencySpec("isp", "Illinois State Police", "state"),
         AgencySpec("watertower", "Water Tower Place Security", "private"),
         AgencySpec("atf-chi", "Bureau of Alcohol, Tobacco, Firearms and Explosives, Chicago Field Division",
                    "federal")),
    ),
    MetroSpec(
        "Houston", "US-TX", 29.7604, -95.3698, 220.0, -6,
        _s("Main St, Montrose Blvd, Shepherd Dr, Kirby Dr, Fannin St, Studemont St, Yale St, Heights Blvd"),
        _s("Taft St, Waugh Dr, Dunlavy St, Mandell St, Hazard St, Woodhead St, Greenbriar Dr, "
           "Morningside Dr, Travis St, Milam St, Louisiana St, Bagby St, Brazos St, Smith St"),
        _s("Westheimer Rd, Alabama St, Richmond Ave, Gray St, West Dallas St, Washington Ave, Memorial Dr, "
           "Bissonnet St"),
        _s("Fairview St, Hawthorne St, Kipling St, Marshall St, Harold St, Branard St, Colquitt St, "
           "Sul Ross St, Banks St, West Main St, Lovett Blvd, Welch St, Hyde Park Blvd, Indiana St"),
        (AgencySpec("hpd", "Houston Police Department", "city"),
         AgencySpec("hcso", "Harris County Sheriff's Office", "county"),
         AgencySpec("txdps", "Texas Department of Public Safety", "state"),
         AgencySpec("galleria-hou", "The Galleria Houston Security", "private"),
         AgencySpec("cbp-hou", "U.S. Customs and Border Protection, Houston Field Office", "federal")),
    ),
    MetroSpec(
        "Atlanta", "US-GA", 33.7490, -84.3880, 200.0, -5,
        _s("Peachtree St, Spring St, West Peachtree St, Piedmont Ave, Boulevard, Moreland Ave, Northside Dr, "
           "Juniper St"),
        _s("Courtland St, Techwood Dr, Williams St, Myrtle St, Argonne Ave, Charles Allen Dr, Parkway Dr, "
           "Highland Ave, Penn Ave, Durant Pl, Hurt St, Bass St"),
        _s("North Ave, Ponce de Leon Ave, 10th St, 14th St, Freedom Pkwy, Edgewood Ave, Memorial Dr, "
           "Ralph McGill Blvd"),
        _s("3rd St, 4th St, 5th St, 6th St, 7th St, 8th St, 11th St, 12th St, 13th St, Linden Ave, Pine St, "
           "Currier St, Baker St, Harris St"),
        (AgencySpec("apd", "Atlanta Police Department", "city"),
         AgencySpec("fcso", "Fulton County Sheriff's Office", "county"),
         AgencySpec("gsp", "Georgia State Patrol", "state"),
         AgencySpec("ponce-city", "Ponce City Market Security", "private"),
         AgencySpec("usss-atl", "U.S. Secret Service, Atlanta Field Office", "federal")),
    ),
    MetroSpec(
        "Seattle", "US-WA", 47.6062, -122.3321, 170.0, -8,
        _s("Broadway, 12th Ave, 15th Ave, 23rd Ave, Rainier Ave S, Boren Ave, Martin Luther King Jr Way, "
           "Aurora Ave N"),
        _s("10th Ave, 11th Ave, 13th Ave, 14th Ave, 16th Ave, 17th Ave, 18th Ave, 19th Ave, 20th Ave, "
           "21st Ave, 22nd Ave, Harvard Ave, Belmont Ave, Summit Ave"),
        _s("Madison St, Pike St, Pine St, Cherry St, Yesler Way, Jackson St, Denny Way, John St"),
        _s("Union St, Spring St, Marion St, Columbia St, James St, Jefferson St, Terrace St, Alder St, "
           "Spruce St, Fir St, Washington St, Main St, King St, Weller St"),
        (AgencySpec("spd", "Seattle Police Department", "city"),
         AgencySpec("kcso", "King County Sheriff's Office", "county"),
         AgencySpec("wsp", "Washington State Patrol", "state"),
         AgencySpec("westlake", "Westlake Center Security", "private"),
         AgencySpec("fps-sea", "Federal Protective Service, Region 10", "federal")),
    ),
    MetroSpec(
        "Denver", "US-CO", 39.7392, -104.9903, 190.0, -7,
        _s("Broadway, Lincoln St, Downing St, York St, Colorado Blvd, Federal Blvd, Santa Fe Dr, "
           "University Blvd"),
        _s("Sherman St, Grant St, Logan St, Pennsylvania St, Pearl St, Washington St, Clarkson St, "
           "Emerson St, Ogden St, Corona St, Marion St, Lafayette St, Humboldt St, Franklin St, Gilpin St"),
        _s("Colfax Ave, 6th Ave, Alameda Ave, 17th Ave, 8th Ave, 13th Ave, Evans Ave, Mississippi Ave"),
        _s("1st Ave, 2nd Ave, 3rd Ave, 4th Ave, 5th Ave, 7th Ave, 9th Ave, 10th Ave, 11th Ave, 12th Ave, "
           "14th Ave, 16th Ave, 18th Ave, 19th Ave"),
        (AgencySpec("dpd", "Denver Police Department", "city"),
         AgencySpec("dso", "Denver Sheriff Department", "county"),
         AgencySpec("csp", "Colorado State Patrol", "state"),
         AgencySpec("cherrycreek", "Cherry Creek Shopping Center Security", "private"),
         AgencySpec("dea-den", "Drug Enforcement Administration, Denver Division", "federal")),
    ),
    MetroSpec(
        "Miami", "US-FL", 25.7617, -80.1918, 210.0, -5,
        _s("Biscayne Blvd, NW 27th Ave, NW 17th Ave, NW 7th Ave, N Miami Ave, NW 12th Ave, NE 2nd Ave, "
           "SW 37th Ave"),
        _s("NW 2nd Ave, NW 3rd Ave, NW 5th Ave, NE 4th Ave, NW 10th Ave, NW 14th Ave, NW 22nd Ave, "
           "NW 24th Ave, NE 1st Ave, NE 3rd Ave"),
        _s("NW 36th St, NW 20th St, NW 79th St, Flagler St, SW 8th St, NW 54th St, NW 62nd St, SW 22nd St"),
        _s("NW 29th St, NW 25th St, NW 23rd St, NW 14th St, NW 11th St, NW 5th St, NW 3rd St, SW 1st St, "
           "SW 3rd St, SW 6th St, NW 41st St, NW 46th St"),
        (AgencySpec("miamipd", "Miami Police Department", "city"),
         AgencySpec("mdso", "Miami-Dade Sheriff's Office", "county"),
         AgencySpec("fhp", "Florida Highway Patrol", "state"),
         AgencySpec("bayside", "Bayside Marketplace Security", "private"),
         AgencySpec("cbp-mia", "U.S. Customs and Border Protection, Miami Field Office", "federal")),
    ),
    MetroSpec(
        "Minneapolis", "US-MN", 44.9778, -93.2650, 200.0, -6,
        _s("Hennepin Ave, Nicollet Ave, Lyndale Ave S, Chicago Ave, Cedar Ave, Portland Ave, Park Ave, "
           "Bloomington Ave"),
        _s("1st Ave S, Blaisdell Ave, Pleasant Ave, Pillsbury Ave, Grand Ave S, Harriet Ave, Garfield Ave, "
           "Aldrich Ave, Bryant Ave, Colfax Ave, Dupont Ave, Emerson Ave"),
        _s("Lake St, Franklin Ave, 26th St, 28th St, 31st St, 35th St, 38th St, 46th St"),
        _s("22nd St, 24th St, 25th St, 27th St, 29th St, 32nd St, 33rd St, 34th St, 36th St, 37th St, "
           "39th St, 40th St"),
        (AgencySpec("mpls-pd", "Minneapolis Police Department", "city"),
         AgencySpec("hcso-mn", "Hennepin County Sheriff's Office", "county"),
         AgencySpec("msp", "Minnesota State Patrol", "state"),
         AgencySpec("moa", "Mall of America Security", "private"),
         AgencySpec("usms-mn", "U.S. Marshals Service, District of Minnesota", "federal")),
    ),
    MetroSpec(
        "Toronto", "CA-ON", 43.6532, -79.3832, 190.0, -5,
        _s("Yonge St, Bay St, University Ave, Spadina Ave, Bathurst St, Jarvis St, Parliament St, Church St"),
        _s("Simcoe St, John St, Peter St, Portland St, Augusta Ave, Palmerston Ave, Euclid Ave, "
           "Sherbourne St, Victoria St, Beverley St, McCaul St, Brant St"),
        _s("Queen St W, King St W, Dundas St W, College St, Bloor St W, Front St W, Richmond St W, "
           "Adelaide St W"),
        _s("Wellington St W, Baldwin St, Nassau St, Oxford St, Harbord St, Wells St, Sullivan St, "
           "Grange Ave, Phoebe St, Camden St, Niagara St, Mercer St"),
        (AgencySpec("tps", "Toronto Police Service", "city"),
         AgencySpec("ttc-sc", "TTC Special Constable Service", "county"),
         AgencySpec("opp", "Ontario Provincial Police", "state"),
         AgencySpec("eaton", "CF Toronto Eaton Centre Security", "private"),
         AgencySpec("rcmp-o", "Royal Canadian Mounted Police, O Division", "federal")),
    ),
)
# fmt: on

# Regions whose plates are most often seen as out-of-area vehicles near each metro's region, commonest first.
_NEIGHBOURS_RAW: dict[str, tuple[str, ...]] = {
    "US-CA": ("US-NV", "US-OR", "US-AZ", "US-WA", "US-TX"),
    "US-AZ": ("US-CA", "US-NM", "US-NV", "US-UT", "US-TX", "US-CO"),
    "US-IL": ("US-WI", "US-IN", "US-IA", "US-MO", "US-MI"),
    "US-TX": ("US-OK", "US-LA", "US-NM", "US-AR", "MX"),
    "US-GA": ("US-FL", "US-SC", "US-AL", "US-TN", "US-NC"),
    "US-WA": ("US-OR", "US-ID", "US-CA", "CA-BC"),
    "US-CO": ("US-WY", "US-NM", "US-UT", "US-KS", "US-NE", "US-AZ"),
    "US-FL": ("US-GA", "US-AL", "US-NY", "US-NJ"),
    "US-MN": ("US-WI", "US-IA", "US-ND", "US-SD"),
    "CA-ON": ("CA-QC", "US-MI", "US-NY", "CA-BC"),
    "US-NV": ("US-CA", "US-AZ", "US-UT", "US-OR"),
    "US-OR": ("US-WA", "US-CA", "US-ID", "US-NV"),
    "US-WI": ("US-IL", "US-MN", "US-MI", "US-IA"),
    "US-IN": ("US-IL", "US-OH", "US-MI", "US-KY"),
    "US-NM": ("US-AZ", "US-TX", "US-CO"),
    "US-UT": ("US-NV", "US-AZ", "US-CO", "US-ID"),
}
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    region: tuple(r for r in near if r in KNOWN_REGIONS) for region, near in _NEIGHBOURS_RAW.items()
}
# Fallback neighbours for a region the table lacks.
FAR_REGIONS: tuple[str, ...] = tuple(r for r in KNOWN_REGIONS if r.startswith("US-")) or KNOWN_REGIONS


def neighbours(region: str) -> tuple[str, ...]:
    """Nearby regions of `region` (never itself); the far list when the catalogue has none."""
    near = NEIGHBOURS.get(region, ())
    return near or tuple(r for r in FAR_REGIONS if r != region)
