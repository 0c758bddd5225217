"""Word lists that make the sample read like a real community's data."""

FIRST = ("Ana Carlos Maria José Luis Sofia Diego Camila Daniel Valentina Miguel Isabella Andrés "
         "Lucía Gabriel Emma Noah Olivia Liam Ava Ethan Mia Lucas Chloe Mateo Zoe Leo Aria Kai "
         "Nia Omar Priya Wei Yuki Aisha Tomás Renée Jordan Taylor Sam Alex Jamie Morgan Riley "
         "Dev Ibrahim Fatima Hiro Lena Marco Nora Pedro Rosa Santiago Tara Victor Wendy Xavier").split()
LAST = ("García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores "
        "Rivera Gómez Díaz Reyes Cruz Morales Ortiz Gutiérrez Chávez Smith Johnson Williams Brown "
        "Jones Miller Davis Wilson Anderson Thomas Moore Jackson Martin Lee Thompson White Harris "
        "Clark Lewis Walker Hall Young King Wright Scott Green Baker Adams Nelson Hill Campbell "
        "Nguyen Patel Kim Chen Singh O'Brien Müller Rossi").split()
DOMAINS = ("gmail.com yahoo.com outlook.com icloud.com hotmail.com proton.me miami.edu fiu.edu "
           "students.mdc.edu hackclub.com").split()
CITIES = (("Miami", "FL"), ("Miami Beach", "FL"), ("Doral", "FL"), ("Hialeah", "FL"),
          ("Fort Lauderdale", "FL"), ("Coral Gables", "FL"), ("Orlando", "FL"), ("Tampa", "FL"),
          ("Austin", "TX"), ("Brooklyn", "NY"), ("San Francisco", "CA"), ("Boston", "MA"),
          ("Chicago", "IL"), ("Seattle", "WA"), ("Toronto", "ON"), ("Bogotá", "DC"))
STREETS = "Biscayne Blvd|Collins Ave|Brickell Ave|NW 7th St|SW 8th St|Ocean Dr|Flagler St|Main St".split("|")
COUNTRIES = ("United States", "USA", "US", "Canada", "Colombia", "Mexico", "Brazil")
EVENT_WORDS = ("Hack Night|Daydream|Scrapyard|Counterspell|Apocalypse|Hack Club|Shipwrecked|"
               "Juice|Neighborhood|Summit|Build Weekend|Campfire").split("|")
PROJECT_WORDS = ("Study|Buddy|Tracker|Bot|Garden|Quest|Lens|Pulse|Forge|Wave|Map|Scribe|Echo|"
                 "Nest|Pixel|Orbit|Chef|Pet|Budget|Tutor|Weather|Music|Focus|Game").split("|")
SKILLS = ("python typescript react rust go design product marketing ml data swift kotlin "
          "devops figma solidity sales").split()
ROLES = ("founder", "engineer", "designer", "student", "investor", "pm", None)
BIOS = ("Building in public.", "Ex-FAANG, now founding.", "CS @ FIU.", "Designer who codes.",
        "Looking for a cofounder.", "Miami native, robotics nerd.", "Shipping weekend projects.")
VENUES = (("The LAB Miami", "400 NW 26th St, Miami, FL 33127", 25.8005, -80.1993),
          ("CIC Miami", "1951 NW 7th Ave, Miami, FL 33136", 25.7942, -80.2089),
          ("Venture Cafe", "1951 NW 7th Ave #600, Miami, FL 33136", 25.7941, -80.2090),
          ("Miami Dade College", "300 NE 2nd Ave, Miami, FL 33132", 25.7777, -80.1903),
          ("Wynwood Lab", "2750 NW 3rd Ave, Miami, FL 33127", 25.8031, -80.1996))
