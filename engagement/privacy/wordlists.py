"""Word lists for de-identification, kept as data: edit these, not the rules.

The words the name rules (:mod:`engagement.privacy.names`) and the structured-identifier patterns
(:mod:`engagement.privacy.patterns`) consult - lower case, except the street types, matched as written -
and the stand-ins :mod:`engagement.privacy.pseudonyms` draws on. Pure data, no logic;
:mod:`engagement.privacy.patterns` re-exports every list.
"""

from __future__ import annotations

#: Titles and forms of address: the capitalised token(s) after one are a name.
TITLES = ("dr", "dr.", "doctor", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "mx", "mx.", "prof", "prof.",
          "professor", "nurse", "sister", "matron", "rev", "rev.", "revd", "reverend", "father", "fr", "fr.",
          "sir", "dame", "lord", "lady", "cllr", "councillor", "captain", "capt", "midwife", "auntie", "aunty",
          "aunt", "uncle", "nan", "nana", "nanna", "grandma", "grandad", "granny", "grandpa", "cousin")
#: Titles that also count when written in lower case ("nurse Jo", "auntie Pat").
LOWER_TITLES = ("doctor", "nurse", "sister", "matron", "midwife", "auntie", "aunty", "uncle", "nan", "nana",
                "nanna", "grandma", "grandad", "granny", "grandpa", "cousin", "dr", "dr.", "mr", "mr.", "mrs",
                "mrs.", "prof", "prof.")

#: Relations: "my husband Derek", "my friend, Grace" - the name after one is a person.
RELATIONS = ("husband", "wife", "partner", "son", "daughter", "mum", "mother", "dad", "father", "brother",
             "sister", "friend", "best friend", "neighbour", "neighbor", "grandson", "granddaughter", "nan",
             "gran", "grandma", "grandad", "granny", "grandmother", "grandfather", "aunt", "auntie", "uncle",
             "cousin", "niece", "nephew", "carer", "boyfriend", "girlfriend", "fiance", "fiancé", "fiancée",
             "colleague", "boss", "mate", "flatmate", "stepson", "stepdaughter", "stepmum", "stepdad",
             "sister-in-law", "brother-in-law", "mother-in-law", "father-in-law", "daughter-in-law",
             "son-in-law", "little boy", "little girl", "eldest", "youngest", "ex", "ex-husband", "ex-wife",
             "other half", "key worker", "support worker", "social worker", "care coordinator", "consultant",
             "gp", "doctor", "nurse", "midwife", "health visitor", "therapist", "counsellor", "psychiatrist",
             "receptionist", "pharmacist", "physio", "physiotherapist", "practice nurse", "practice manager",
             "district nurse", "manager", "lodger", "landlord", "landlady", "housemate", "paramedic", "dentist",
             "optician", "surgeon", "keyworker", "key-worker", "sister", "matron", "care worker", "advocate",
             "buddy", "volunteer", "link worker", "social prescriber", "occupational therapist", "dietitian",
             "pharmacy technician", "healthcare assistant", "hca", "admin", "secretary", "mentor", "teacher",
             "husband's", "wife's",
             # how people name their own in talk: "my lad Ptolemy", "our lass", "our kid", "my hubby"
             "lad", "lass", "boy", "girl", "kid", "little one", "youngest one", "eldest one", "middle one",
             "hubby", "missus", "fella", "bloke", "stepbrother", "stepsister", "half-brother", "half-sister",
             "godson", "goddaughter", "godmother", "godfather", "grandchild", "grandkid", "grandkids", "twin",
             "great-grandson", "great-granddaughter", "great-nan", "great-gran")
#: Roles a name is said to hold afterwards: "the receptionist at the time was Nadia".
ROLE_NOUNS = ("receptionist", "nurse", "doctor", "gp", "pharmacist", "physio", "carer", "consultant", "midwife",
              "health visitor", "social worker", "manager", "paramedic", "dentist", "surgeon", "therapist",
              "counsellor", "advocate", "volunteer", "worker", "lady", "man", "woman", "chap", "guy", "girl", "boy",
              "registrar", "optician", "secretary", "teacher", "neighbour", "friend")

#: After a name: where a person works or comes from, and what people say about them.
PERSON_AFTER = ("on reception", "on the reception", "on the desk", "on the front desk", "at the desk",
                "at reception", "at the front desk", "behind the desk", "on the phones", "on the switchboard",
                "from the surgery", "from the practice", "from the pharmacy", "from the chemist", "from the council",
                "from the clinic", "from the office", "from next door", "from church", "from the church",
                "from the mosque", "from the temple", "from the gurdwara", "from school", "from work",
                "from reception", "from the health centre", "from social services", "from the hospital",
                "from the home", "from down the road", "from over the road", "from across the road",
                "from the ward", "from the GP", "from the doctors", "from the doctor's", "from the team",
                "in the pharmacy", "in the office", "in the dispensary", "at the surgery", "at the practice",
                "at the pharmacy", "at the chemist", "on the ward", "the receptionist", "the nurse",
                "the pharmacist", "the physio", "the carer", "the GP", "the manager",
                # where people place a neighbour or a shopkeeper: "Jignesh up the chemist's", "Barty next door"
                "next door", "up the road", "down the road", "over the road", "across the road", "round the corner",
                "up the chemist", "up the chemist's", "down the chemist", "down the chemist's", "at the chemist's",
                "in the chemist's", "up the surgery", "down the surgery", "up the shop", "down the shop",
                "at the shop", "on the till", "on the tills")
#: Said of a person: "Piotr was lovely", "Asif was so kind".
PERSON_PRAISE = ("lovely", "brilliant", "kind", "helpful", "amazing", "fantastic", "wonderful", "great", "rude",
                 "patient", "an angel", "a star", "a diamond", "a godsend", "good with", "supportive", "caring",
                 "marvellous", "fab", "fabulous", "excellent", "superb", "really good", "so good", "very good",
                 "polite", "friendly", "understanding", "reassuring", "professional", "thorough", "gentle")
#: After a possessive: "Priya's mum", "at Jing's house".
POSSESSED = ("mum", "mam", "mom", "mother", "dad", "father", "husband", "wife", "partner", "son", "daughter", "boy",
             "girl", "kids", "children", "child", "baby", "brother", "sister", "nan", "gran", "granny", "grandad",
             "grandma", "aunt", "auntie", "uncle", "cousin", "house", "flat", "bungalow", "place", "carer", "funeral",
             "wedding", "birthday", "dog", "car", "family", "boyfriend", "girlfriend", "friend", "neighbour",
             "husband's", "mum's", "dad's", "phone", "number", "mobile", "records", "notes", "appointment")
#: Verbs and phrases a person's name follows: "ask for Nicola", "Ring Tom Baker", "and so was Bola".
PERSON_BEFORE = ("ask for", "asked for", "asking for", "speak to", "spoke to", "speaking to", "talk to",
                 "talked to", "talking to", "ring", "rang", "call", "phone", "phoned", "text", "texted", "email",
                 "emailed", "e-mail", "message", "messaged", "whatsapp", "told", "tell", "showed", "show",
                 "seen by", "helped by", "looked after by", "visited by", "and so was", "so was", "and so is",
                 "thanks to", "thank", "thanked", "ask", "asked", "contact", "contacted", "chase", "chased",
                 "of mine", "of ours", "of hers", "of his", "of theirs", "saw", "visited", "seen")


#: Nouns for a person before "called/named": "a lady called Mary".
PERSON_NOUNS = ("lady", "man", "woman", "guy", "girl", "boy", "bloke", "chap", "fella", "fellow", "lad", "lass",
                "gentleman", "nurse", "doctor", "consultant", "surgeon", "receptionist", "midwife", "someone",
                "somebody", "person", "friend", "neighbour", "carer", "worker", "manager", "officer", "paramedic",
                "pharmacist", "physio", "therapist", "counsellor", "psychiatrist", "psychologist", "specialist",
                "registrar", "gp", "student", "patient", "child", "kid", "baby", "son", "daughter", "dog",
                "visitor", "dentist", "optician", "volunteer", "assistant", "secretary", "clerk", "driver",
                "cleaner", "porter", "chaplain", "advisor", "adviser", "coordinator", "practitioner", "technician",
                "radiographer", "phlebotomist", "dietitian", "podiatrist", "pal", "lodger", "landlord", "landlady")
#: (a relation before "called" - "my sister is called X" - comes from RELATIONS, which CALLED_RE reads too)

#: Verbs after a name that make a capitalised token a person ("Derek said", "Bill came round").
SPEECH_VERBS = ("said", "says", "told", "tells", "asked", "asks", "mentioned", "mentions", "thinks", "thought",
                "reckons", "reckoned", "was saying", "is saying", "made a point", "has a point", "is right",
                "was right", "agrees", "agreed", "came", "comes", "went", "goes", "wants", "wanted", "knows",
                "knew", "rang", "phoned", "texted", "emailed", "wrote", "helped", "took", "gave", "brought",
                "died", "passed away", "lives", "lived", "works", "worked", "couldn't", "can't", "didn't",
                "doesn't", "won't", "would", "could", "should", "had", "has", "got", "gets", "laughed", "nodded",
                "explained", "suggested", "pointed out", "and i", "and me", "and my")

#: Given names and surnames that are also ordinary English words: matched only in name context.
WORD_NAMES = frozenset("""
rose hope bill mark grace will faith sky joy dawn amber autumn summer winter holly ivy iris lily daisy violet
heather hazel jasmine poppy pearl ruby jade crystal honey candy sandy rusty sunny storm river robin wren jay drew
frank sue pat nick chip chuck buck bob rob don dean guy jack ray gene glen dale dell forest heath grant hunter
fisher baker cook carter mason miller mill mills smith turner walker ward wells white black brown green grey gray
young king price rice long short little small bird fox wolf lamb hart hill lane marsh moss reed rush wood woods
field fields bush berry prior bishop page porter chance chase cash cliff gill hale hall jewel lord love major
noble park parks pope power rich rivers rock sage savage sharp shepherd sterling stone strong swift temple waters
wise bell best bright brook brooks burns case church clay cole cotton crane cross day dove fry gold good hand head
hood hunt key law light lock low moon more new north south east west pain payne peace penny pike pitt plant pool
post read rain ring rowe sands shaw spring star steel street sweet tanner thorn tower wall walls wing bond booth
bull butcher cooper draper fowler gardener glover goodman joiner marshall mayor nurse palmer parker parsons potter
sawyer skinner slater thatcher tyler weaver webb wheeler banks shields kit max mo dot norm earl lance miles wade
carol eve dev ash art bay brandy chance clay coral fern ginger glory lark laurel mercy olive opal patience pepper
primrose prudence raven red saffron serenity snow sonny sorrel trinity willow harmony destiny misty blossom basil
angel ebony gem lucky tiger rocky august justice victory sunshine
""".split())

#: Month names that are also given names: only strong context makes them a name.
MONTH_NAMES = frozenset({"april", "may", "june", "august", "jan"})

#: Kin words used as names ("Mum said"): not personal data.
KIN_WORDS = frozenset("""
mum mummy mom mother dad daddy father nan nana nanna gran granny grandma grandad grandpa grandmother grandfather
auntie aunty aunt uncle sis bro hubby wife husband son daughter baby
""".split())

#: Capitalised words that are not names in the weak contexts (vocatives, "X said", "I'm X").
NON_NAME_WORDS = frozenset("""
i i'm i'd i've i'll it it's he she we they you the a an this that these those my your his her our their and but or
so if when what who why how where yes no yeah yep yup nope ok okay oh um uh erm er mm mhm hmm ah well right sorry
thanks thank please hello hi hiya just not then there here all everyone everybody someone somebody nobody anyone
anybody none some any one two three people everything nothing something anything look listen see like sure fine
great lovely brilliant interesting true absolutely definitely exactly anyway now also again still even only
monday tuesday wednesday thursday friday saturday sunday january february march july september october november
december christmas easter god jesus christ allah lord doctor nurse sister consultant gp gps nhs hospital surgery
british english scottish welsh irish polish lithuanian latvian romanian bulgarian portuguese spanish italian
french german indian pakistani bangladeshi nigerian ghanaian somali chinese jamaican caribbean african asian
european muslim christian catholic jewish sikh hindu buddhist black white deaf autistic diabetic punjabi urdu
russian arabic bengali gujarati tamil american canadian australian european japanese korean dutch swedish
norwegian danish greek turkish kurdish iranian afghan syrian iraqi ukrainian hungarian czech slovak estonian
filipino thai vietnamese brazilian mexican kenyan ugandan zimbabwean eritrean sudanese ethiopian egyptian
moroccan algerian nepalese malaysian protestant anglican methodist baptist orthodox atheist which whose whom as although though because since while whilst unless
until mine yours ours theirs same both each every many much more most other another such ooh aah wow bye aye
nah in on at of for with from to by about after before during into over under between without also plus
besides however meanwhile otherwise instead sometimes nowadays today tomorrow yesterday first
second firstly secondly finally lastly course maybe perhaps obviously basically
was were is are am be been being got get gets getting had has have did do does done went came said told asked
took gave made saw seen felt found left kept called rang phoned waited arrived needed wanted tried used
caller driver drivers crew staff paramedic paramedics receptionist operator handler handlers manager porter
carer carers team ambulance patient patients doctors nurses consultants surgeon everything visitor medic
psychiatrist psychologist therapist counsellor midwife pharmacist physio dentist optician
me us him them ring call phone text ask tell email message contact thank cheers dear hey speak talk visit
help support advice care service treatment communication information feedback response reception appointment
appointments referral letter letters texts calls everyone everybody staff team nobody nothing due chemist chemists
practice clinic ward council police pharmacy dispensary city town village county neighbour neighbours friend friends
doc docs men women man woman lady ladies gentleman gentlemen food company atmosphere assessment explanations
""".split())
#: The last word of a condition or service the NER tags as a person ("Personality Disorder").
CONDITION_WORDS = frozenset("""
disorder disorders syndrome disease diseases condition conditions palsy dementia cancer service services team
unit pathway programme clinic
""".split())

#: Things NER tends to tag PERSON in this domain that are not people (devices, brands, jargon,
#: fillers). "alexa": in these transcripts almost always Amazon's assistant; a participant called
#: Alexa is a known name, and known names are matched before this list is consulted.
NER_NON_NAMES = frozenset("""
fitbit alexa siri cortana timex garmin caldicott babylon covid covid-19 brexit hba1c egfr bmi zoom teams whatsapp
boots tesco sainsbury sainsbury's asda lidl aldi morrisons ocado netflix spotify twitter instagram tiktok youtube
android iphone ipad kindle samsung chatgpt deepmind palantir strava myfitnesspal nhsx camhs windrush grenfell pfizer astrazeneca moderna
novavax janssen healthwatch facebook clubcard nectar systmone deliveroo ozempic mounjaro wegovy dexcom omnipod
""".split()) | {"lloyd george", "nhs app", "nhs login", "patients know best", "sky news", "home office",
                "care.data", "google fit", "apple watch", "amazon alexa"}

#: UK towns and cities the NER takes for people ("issues with Durham", "from Nottingham"): an NER-only
#: PERSON that is one of these is dropped; a title or person context still makes it a name.
#: Towns that are also common given names (Chester, Lincoln, Stanley, Ashley) are left out.
UK_PLACES = frozenset("""
cambridgeshire lincolnshire hertfordshire bedfordshire buckinghamshire northamptonshire leicestershire nottinghamshire
derbyshire staffordshire warwickshire worcestershire gloucestershire oxfordshire berkshire wiltshire hampshire
shropshire herefordshire cheshire lancashire merseyside cumbria northumberland durham somerset dorset surrey sussex
middlesex rutland
aberdeen alnwick ashington aylesbury banbury bangor barnard barnsley barrow basingstoke bath bedford bedlington
berwick billingham birmingham blackburn blackpool blyth bolton bournemouth bradford braintree brentwood
brighton bristol bromley burnley bury buxton cambridge canterbury cardiff carlisle chelmsford cheltenham
chesterfield chichester chorley clacton colchester consett corby coventry cramlington crawley crewe croydon
darlington derby doncaster dorchester dover dudley dundee durham eastbourne edinburgh ely epping exeter
falmouth felixstowe folkestone gateshead glasgow gloucester grantham gravesend grimsby guildford halifax
harlow harrogate hartlepool harwich hastings haverhill hemel hereford hexham huddersfield hull huntingdon
ipswich jarrow keighley kendal kettering leeds leicester lewes liverpool llandudno london loughborough
lowestoft luton maidstone maldon manchester mansfield march margate middlesbrough milton morpeth newark
newbury newcastle newmarket northallerton northampton norwich nottingham nuneaton oldham oxford peterborough
peterlee plymouth pontefract poole portsmouth reading redcar rochdale rotherham rugby salisbury scarborough
scunthorpe seaham sedgefield sheffield shrewsbury skegness slough solihull southampton southend southport
spalding spennymoor stafford stamford stevenage stockport stockton stoke stowmarket sudbury sunderland
swansea swindon taunton telford thetford thirsk torquay truro tynemouth wakefield walsall warrington
warwick watford wellingborough whitby whitley wigan winchester wisbech witham wolverhampton woodbridge
worcester worthing yarm yarmouth york cheshire cumbria devon dorset durham essex kent lancashire norfolk
northumberland suffolk surrey sussex teesside tyneside wearside yorkshire cornwall somerset wiltshire
bourne holbeach oundle littleport godmanchester sawston mildenhall swaffham fakenham aylsham hunstanton sheringham
attleborough halesworth southwold leiston saxmundham framlingham hadleigh bungay whittlesey chatteris soham
haverhill newmarket dereham diss beccles lowestoft
""".split())

#: Conditions named after people: "Crohn's", "Graves' disease", "Down's syndrome" are not people.
EPONYM_CONDITIONS = frozenset("""
crohn parkinson alzheimer addison hashimoto graves huntington asperger down bell hodgkin raynaud meniere cushing
tourette sjogren sjögren guillain barre barré wilson lyme kawasaki conn dupuytren osgood paget perthes peyronie
hirschsprung marfan munchausen tay sachs creutzfeldt jakob charcot ehlers danlos stargardt wernicke korsakoff
bright still legionnaire buerger behcet behçet kaposi duchenne becker turner klinefelter rett angelman gilbert
""".split())

#: Capitalised words after a name that make it part of an organisation or place ("Rose Ward").
ORG_SUFFIXES = frozenset("""
hospital hospitals ward wards surgery practice clinic centre center unit house trust hospice school college
university medical health pharmacy foundation institute building wing suite group partnership team service
services library church chapel road street lane avenue close drive way crescent gardens court place terrace
grove walk row hill square mews parade park estate ltd limited plc council a&e hub hall halls bar cafe café shop
restaurant canteen lounge room rooms kitchen
""".split())

#: What names a small health or care setting, a school or a pharmacy: "Thorpe Road Surgery",
#: "the Grove Medical Practice", "St Mary's Primary". Hospitals and trusts are not here: the big
#: ones are on the allow list, and any other stays unless deny-listed.
FACILITY_SUFFIXES = ("Surgery", "Medical Practice", "Medical Centre", "Medical Center", "Health Centre",
                     "Healthcare Centre", "Medical Group", "Medical Partnership", "Health Clinic", "Practice",
                     "Pharmacy", "Chemist", "Chemists", "Care Home", "Nursing Home", "Residential Home",
                     "Care Centre", "Retirement Home", "Rest Home", "Primary School", "Primary Academy", "Primary",
                     "Junior School", "Infant School", "Infants School", "Junior Academy", "High School",
                     "Secondary School", "Academy", "School", "College", "Nursery", "Day Centre")
#: Words that alone do not name a setting ("Dental Surgery", "GP Practice", "Primary School", chains).
FACILITY_GENERIC = frozenset("""
the a an dental day keyhole heart brain knee hip back bowel spinal spine cardiac cancer weight loss foot hand
shoulder ear nose throat breast skin oral mouth tooth teeth joint bone cosmetic plastic minor major bariatric
cataract laser gp gps vet vets veterinary doctors doctor's doctor local community care nursing residential high
secondary primary junior junior infant infants boarding grammar private independent special sunday medical health
family general group main new old our my this that every any which online nhs village town city county district
good best clinical nurse hospital catholic church free state comprehensive public prep preparatory sixth form his
her their your boots lloyds lloydspharmacy superdrug asda tesco well rowlands morrisons sainsbury's sainsburys
cohens day-lewis numark bestway superdrug's boots' pharmacy surgery practice school college academy nursery
online-only dispensing walk-in urgent emergency out-of-hours same-day mental eating sexual fertility maternity
""".split())

STREET_TYPES = ("Road", "Rd", "Street", "St", "Lane", "Ln", "Avenue", "Ave", "Close", "Drive", "Way", "Crescent",
                "Gardens", "Court", "Place", "Terrace", "Grove", "Walk", "Row", "Hill", "Square", "Mews", "Parade",
                "Green", "Rise", "View", "Vale", "Meadow", "Meadows", "Chase", "Gate", "Wharf", "Yard", "Croft",
                "Boulevard", "Park", "End", "Fields", "Drove", "Loke", "Drift", "Causeway", "Bank", "Approach",
                "Broadway", "Parkway", "Ride", "Dale", "Paddock", "Pightle", "Spinney", "Orchard", "Garth", "Leys",
                "Wynd", "Hythe", "Quay", "Esplanade", "Promenade", "Embankment", "Fold", "Heath", "Common", "Nook",
                "Hollow", "Brow", "Pastures", "Glade", "Copse", "Dell", "Reach", "Steps", "Circus", "Cross")
#: One-word street names end in one of these ("Kingsway", "Northgate", "Highfield").
STREET_SUFFIXES = ("way", "gate", "field", "fields", "side", "moor", "drove", "road", "street", "lane", "bank")

MONTHS = {"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
          "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
          "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12}

#: Words after a number that make it a quantity, not an age ("90 miles", "95 percent").
UNITS = ("weeks", "week", "days", "day", "months", "month", "hours", "hour", "minutes", "mins", "miles", "mile",
         "percent", "per", "pounds", "quid", "pence", "p", "times", "people", "of", "kg", "kilos", "stone", "lbs",
         "mg", "ml", "patients", "beds", "pages", "quid", "grand", "pound", "bus", "am", "pm", "degrees")

# ---------------------------------------------------------------------------------------------
# Stand-ins for ``pseudonyms: true``: chosen by a value's salted key, never the value itself.
PSEUDO_FIRST = ("Alice", "Ben", "Chloe", "Daniel", "Eleanor", "Farid", "Gemma", "Harvey", "Imogen", "Jamal",
                "Kirsty", "Leon", "Megan", "Nikhil", "Orla", "Patrick", "Qasim", "Rachel", "Stefan", "Tanya",
                "Usman", "Vanessa", "Wesley", "Yasmin", "Zach", "Aisha", "Bernard", "Carmen", "Declan", "Esther",
                "Fiona", "Gareth", "Helena", "Ivan", "Janet", "Kwame", "Linda", "Marek", "Nadia", "Oscar",
                "Paula", "Ravi", "Sinead", "Trevor", "Ursula", "Viktor", "Wendy", "Yusuf")
PSEUDO_LAST = ("Abbott", "Bramley", "Chowdhury", "Dempsey", "Ellison", "Fairbairn", "Gallagher", "Holloway",
               "Iqbal", "Jarvis", "Kowalski", "Lindqvist", "Mahmood", "Norcross", "Okonkwo", "Pemberton",
               "Quayle", "Rafferty", "Sandhu", "Thackeray", "Underwood", "Varga", "Whitfield", "Yeoman",
               "Zielinski", "Ashworth", "Brannigan", "Cartwright", "Delaney", "Eastwood", "Fenwick", "Greaves")
PSEUDO_STREETS = ("Alder", "Beacon", "Cobble", "Dunmore", "Elmstead", "Foxglove", "Garnet", "Hawthorn",
                  "Juniper", "Kestrel", "Larkspur", "Marlow", "Nettle", "Orchard", "Pennyroyal", "Quarry")
PSEUDO_PLACES = ("Ashby Fen", "Brackenwold", "Cressing Parva", "Dunthorpe", "Elmsworth St Giles", "Fenmoor",
                 "Great Wickham", "Hollowmere", "Kettleby Marsh", "Little Sallow", "Mardenhoe", "Nettlecombe Fen")
